"""Stop before training when a slice (data set, compression, kind) lost too many videos to
the face stage: more than datasets.<name>.max_face_loss of them left without face crops.

The error names each such video with its face rate; datasets.<name>.missing_faces: skip
accepts the loss. Writes the slice's videos without crops (CSV): the marker its training and
evaluation jobs wait for.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.faces.rates import check_faces
from depthfake.jobs._runtime import setup_logging, step_parser


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--indices", type=Path, nargs="+", required=True,
                        help="the slice's Parquet frame indices from crop_faces")
    parser.add_argument("--max-face-loss", type=float, default=None,
                        help="largest share of videos without face crops (default: any)")
    parser.add_argument("--min-face-share", type=float, required=True,
                        help="faces.min_face_share the crops were made with (for the message)")
    parser.add_argument("--out", type=Path, required=True, help="CSV of the videos without "
                        "face crops")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    check_faces(args.indices, args.max_face_loss, args.min_face_share, args.out)


if __name__ == "__main__":
    main()
