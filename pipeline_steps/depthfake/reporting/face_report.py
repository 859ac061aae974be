"""The face detection report: per data set, compression and kind the face rate, the videos
lost and the face sizes, with per-video face rates; the step `face_report` writes it."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from depthfake.faces.rates import (
    lost_videos,
    low_rate_warnings,
    slice_summary,
    video_face_rates,
)
from depthfake.plan.provenance import provenance_line
from depthfake.reporting.text import html_page, markdown_text, plain_markdown
from depthfake.storage.files import read_parquet, write_csv, write_text

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
