"""Stage 2: sample N evenly spaced frames (or N at a stride) of every video of a shard into HDF5.

Writes the frames (one dataset per video under /videos, written as each video is read), a
Parquet frame index (each frame's video id and file path) and the shard's skip records
(missing, unreadable or truncated videos, and videos whose people fall in different splits).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from depthfake.datasets import EXCLUDED, list_videos, shard
from depthfake.files import write_parquet
from depthfake.h5store import write_h5
from depthfake.settings import DatasetSource, FrameSettings, add_arguments, from_args
from depthfake.skips import SkipLog
from depthfake.steps import add_index_outputs, setup_logging, step_parser
from depthfake.video import VideoError, read_sampled_frames

log = logging.getLogger(__name__)
STAGE = "extract_frames"
# `video`: the id (the HDF5 name); `path`: the file it was read from.
INDEX_COLUMNS = ["dataset", "video", "path", "kind", "label", "compression", "split", "frame",
                 "position"]


def extract_frames(dataset: str, source: DatasetSource, settings: FrameSettings, kind: str,
                   compression: str, shard_index: int, num_shards: int, out_frames: Path,
                   out_index: Path, out_skips: Path) -> pd.DataFrame:
    """Extract one shard; returns its frame index (one row per stored frame)."""
    videos = shard(list_videos(source, kind, compression), shard_index, num_shards)
    skips = SkipLog(STAGE, dataset)
    rows = []
    with write_h5(out_frames, {"frames": settings.model_dump()}) as h5:
        for video in tqdm(videos, desc=f"{STAGE} {kind}"):
            if video.split == EXCLUDED:
                skips.add(video.video, kind, compression, f"its people {video.groups} fall in "
                          "different splits, so it is in none")
                continue
            try:
                indices, frames = read_sampled_frames(video.path, settings.per_video,
                                                     settings.stride)
            except VideoError as err:
                skips.add(video.video, kind, compression, f"{err}: {video.path}")
                continue
            h5.create_dataset(f"videos/{video.video}", data=np.stack(frames), compression="lzf",
                              chunks=(1, *frames[0].shape))
            rows += [dict(dataset=dataset, video=video.video, path=video.path, kind=kind,
                          label=video.label, compression=compression, split=video.split,
                          frame=i, position=p)
                     for p, i in enumerate(indices)]
    index = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    write_parquet(out_index, index)
    skips.write(out_skips)
    log.info("%d frames from %d of %d videos", len(index), index["video"].nunique(), len(videos))
    return index


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
                   args.kind, args.compression, args.shard, args.num_shards, args.out_frames,
                   args.out_index, args.out_skips)


if __name__ == "__main__":
    main()
