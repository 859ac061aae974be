"""Stage 2: sample N evenly spaced frames (or N at a stride) of every video of a shard into HDF5.

Writes the frames (one dataset per video under /videos, written as each video is read), a
Parquet frame index (each frame's video id and file path) and the shard's skip records
(missing, unreadable or truncated videos, and videos whose people fall in different splits).
"""

from __future__ import annotations

from pathlib import Path

from depthfake.datasets.extract_shard import extract_frames
from depthfake.jobs._runtime import add_index_outputs, setup_logging, step_parser
from depthfake.settings import DatasetSource, FrameSettings, add_arguments, from_args


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--dataset", required=True, help="data set name (recorded in the index)")
    add_arguments(parser, DatasetSource)
    add_arguments(parser, FrameSettings)
    parser.add_argument("--kind", required=True, help="'real' or a manipulation folder name")
    parser.add_argument("--compression", required=True, help="raw, c23, c40 or none")
    parser.add_argument("--shard", type=int, default=0, help="shard index")
    parser.add_argument("--num-shards", type=int, default=1, help="shards per kind")
    parser.add_argument("--out-frames", type=Path, required=True, help="HDF5 of frames")
    add_index_outputs(parser)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    extract_frames(args.dataset, from_args(DatasetSource, args), from_args(FrameSettings, args),
                   kind=args.kind, compression=args.compression, shard_index=args.shard,
                   num_shards=args.num_shards, out_frames=args.out_frames,
                   out_index=args.out_index, out_skips=args.out_skips)


if __name__ == "__main__":
    main()
