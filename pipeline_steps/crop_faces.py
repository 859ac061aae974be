"""Stage 3: crop the largest face of every sampled frame (FF++'s 1.3x square), with landmarks.

Writes crops (one per HDF5 chunk, appended a video at a time), boxes (x0, y0, side) and 68
landmarks (crop pixels), and the frame index extended with `detected` (a face was found),
`face_side` (its side in frame pixels), `frame_side` (the frame's shorter side), `has_face`
and `row` (-1: no crop used): no frame is dropped silently. A video with a face in fewer than
`min_face_share` of its frames is recorded as skipped, and its crops are not stored.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.faces.crop_shard import crop_faces
from depthfake.jobs._runtime import add_index_outputs, setup_logging, step_parser
from depthfake.settings import FaceSettings, add_arguments, from_args


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--frames", type=Path, required=True, help="HDF5 from extract_frames")
    parser.add_argument("--frame-index", type=Path, required=True, help="its Parquet index")
    add_arguments(parser, FaceSettings)
    parser.add_argument("--out-faces", type=Path, required=True, help="HDF5 of crops")
    add_index_outputs(parser)
    args = parser.parse_args(argv)
    setup_logging(args.log)
    crop_faces(args.frames, args.frame_index, from_args(FaceSettings, args),
               out_faces=args.out_faces, out_index=args.out_index, out_skips=args.out_skips)


if __name__ == "__main__":
    main()
