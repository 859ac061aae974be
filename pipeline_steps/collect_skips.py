"""Merge every job's skip records into one table: which video, at which stage, and why."""

from __future__ import annotations

from pathlib import Path

from depthfake.jobs._runtime import setup_logging, step_parser
from depthfake.reporting.skipped_videos import collect_skips


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--skips", type=Path, nargs="*", default=[], help="per-job skip CSVs")
    parser.add_argument("--out", type=Path, required=True,
                        help="merged CSV (first line: a # comment with the provenance)")
    parser.add_argument("--out-html", type=Path, required=True, help="the same, as HTML")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    collect_skips(args.skips, out=args.out, out_html=args.out_html)


if __name__ == "__main__":
    main()
