"""Recorded skips: every video a stage leaves out is written down with the reason."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

import pandas as pd

from depthfake.storage.files import read_csv, write_csv

log = logging.getLogger(__name__)

SKIP_COLUMNS = ["dataset", "video", "kind", "compression", "stage", "reason"]


@dataclass
class SkipLog:
    """Collects (video, stage, reason) records of one job and writes them as one CSV."""

    stage: str
    dataset: str
    records: list[dict] = field(default_factory=list)

    def add(self, video: str, kind: str, compression: str, reason: str) -> None:
        log.warning("skipping %s/%s/%s/%s at %s: %s", self.dataset, compression, kind, video,
                    self.stage, reason)
        self.records.append(dict(dataset=self.dataset, video=video, kind=kind,
                                 compression=compression, stage=self.stage, reason=reason))

    def write(self, path: str | os.PathLike) -> None:
        write_csv(path, pd.DataFrame(self.records, columns=SKIP_COLUMNS))


def merge_skip_files(paths: list[str | os.PathLike], out: str | os.PathLike) -> pd.DataFrame:
    """Concatenate per-job skip CSVs into one table, written atomically to `out`."""
    frames = [read_csv(p, dtype=str) for p in paths]
    merged = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SKIP_COLUMNS)
    merged = merged.reindex(columns=SKIP_COLUMNS).sort_values(
        ["dataset", "stage", "compression", "video"])
    write_csv(out, merged)
    return merged


def skip_summary(skips: pd.DataFrame) -> str:
    """How many videos each stage skipped, per data set, and where the list is."""
    if skips.empty:
        return "No video was skipped."
    counts = skips.groupby(["dataset", "stage"], sort=False).size()
    lines = [f"  {dataset} {stage}: {count} video(s)" for (dataset, stage), count in counts.items()]
    return "\n".join(["Skipped videos (reasons in results/skipped.csv):", *lines])
