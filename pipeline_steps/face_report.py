"""Face detection report: per video the share of sampled frames with a face, and per data set,
compression and kind the face rate, the videos lost and the distribution of face sizes.

Read it before training: a detector that misses faces loses data silently otherwise.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.reporting.face_report import face_report


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--indices", type=Path, nargs="+", required=True,
                        help="Parquet frame indices from crop_faces")
    parser.add_argument("--out-md", type=Path, required=True, help="the report, Markdown")
    parser.add_argument("--out-html", type=Path, required=True, help="the report, HTML")
    parser.add_argument("--out-videos", type=Path, required=True, help="per-video CSV")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    face_report(args.indices, args.out_md, args.out_html, args.out_videos)


if __name__ == "__main__":
    main()
