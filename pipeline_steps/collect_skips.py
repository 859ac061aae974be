"""Merge every job's skip records into one table: which video, at which stage, and why."""

from __future__ import annotations

import logging
from pathlib import Path

from depthfake.files import write_text
from depthfake.provenance import provenance_line
from depthfake.report import html_page, plain_markdown
from depthfake.skips import merge_skip_files, skip_summary
from depthfake.steps import setup_logging, step_parser

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--skips", type=Path, nargs="*", default=[], help="per-job skip CSVs")
    parser.add_argument("--out", type=Path, required=True,
                        help="merged CSV (first line: a # comment with the provenance)")
    parser.add_argument("--out-html", type=Path, required=True, help="the same, as HTML")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    merged = merge_skip_files(args.skips, args.out)
    table = plain_markdown(merged) if len(merged) else "No video was skipped."
    write_text(args.out_html, html_page(
        f"# Skipped videos\n\n{table}\n\n---\n{provenance_line()}\n", "Skipped videos"))
    log.info("%d skipped videos recorded", len(merged))
    print(skip_summary(merged), flush=True)  # on the console: the log goes to a file


if __name__ == "__main__":
    main()
