"""Face detection report: per video the share of sampled frames with a face, and per data set,
compression and kind the face rate, the videos lost and the distribution of face sizes.

Read it before training: a detector that misses faces loses data silently otherwise.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from depthfake.face_report import (
    lost_videos,
    low_rate_warnings,
    slice_summary,
    video_face_rates,
)
from depthfake.files import read_parquet, write_csv, write_text
from depthfake.provenance import provenance_line
from depthfake.report import html_page, markdown_text, plain_markdown
from depthfake.steps import setup_logging, step_parser

log = logging.getLogger(__name__)


def face_report(indices: list[Path], out_md: Path, out_html: Path, out_videos: Path
                ) -> pd.DataFrame:
    """Write the report (Markdown and HTML) and the per-video face rates (CSV); returns the
    summary."""
    index = pd.concat([read_parquet(p) for p in indices], ignore_index=True)
    rates = video_face_rates(index)
    summary = slice_summary(index, rates)
    write_csv(out_videos, rates)
    warnings = low_rate_warnings(summary)
    lost = lost_videos(rates)
    document = "\n\n".join([
        "# Faces found", plain_markdown(summary),
        "face_rate: share of sampled frames with a face; no_face, under_0.5: videos with no "
        "face or a face in under half their frames; kept: videos with crops used; side_pN: "
        "face box side (max of width and height), frame pixels, Nth percentile; "
        f"side_share_p50: median side / the frame's shorter side. Per video: {out_videos.name}.",
        *(["## Warnings", *(f"- {markdown_text(w)}" for w in warnings)] if warnings else []),
        *(["## Videos without face crops", "Recorded skips of crop_faces (face_rate under "
           "faces.min_face_share); more than datasets.<name>.max_face_loss of a slice's videos "
           "stop the run before training.", plain_markdown(lost)] if len(lost) else []),
        f"---\n{provenance_line()}\n"])
    write_text(out_md, document)
    write_text(out_html, html_page(document, "Faces found"))
    for warning in warnings:
        log.warning(warning)
        print(f"face report: {warning}", flush=True)  # on the console: the log is a file
    return summary


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
