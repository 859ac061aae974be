"""The run's skipped videos: every job's skip records merged into one table (CSV and an HTML
page); the step `collect_skips` writes them. Apart from depthfake.storage.skips, which the
per-shard stages import, since the page needs the report's Markdown."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from depthfake.plan.provenance import provenance_line
from depthfake.reporting.text import html_page, plain_markdown
from depthfake.storage.files import write_text
from depthfake.storage.skips import merge_skip_files, skip_summary

log = logging.getLogger(__name__)


def collect_skips(skip_files: list[Path], *, out: Path, out_html: Path) -> pd.DataFrame:
    """Merge the per-job skip CSVs into `out` and its page `out_html`, and name the count per
    stage on the console; returns the merged table."""
    merged = merge_skip_files(skip_files, out)
    table = plain_markdown(merged) if len(merged) else "No video was skipped."
    write_text(out_html, html_page(
        f"# Skipped videos\n\n{table}\n\n---\n{provenance_line()}\n", "Skipped videos"))
    log.info("%d skipped videos recorded", len(merged))
    print(skip_summary(merged), flush=True)  # on the console: the log goes to a file
    return merged
