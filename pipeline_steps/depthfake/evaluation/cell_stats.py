"""Every table cell's metrics over seeds, its 95 % bootstrap interval over test videos, and
each model's paired difference from the RGB baseline of its backbone.

A cell is one model (model, backbone, depth backend, depth input) on one column (test data
set, compression, forgery) under one condition. The replicates of a column are shared by all
its models and conditions (depthfake.evaluation.bootstrap), so a difference is computed on the same
resampled videos; it is significant where its interval excludes zero. A cell whose test set
holds one class has no AUC, and no difference of it is ever significant.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from depthfake.evaluation.bootstrap import RESAMPLES, SHOWN, column_seed, interval, replicates
from depthfake.evaluation.metrics import CELL, COLUMN, ROW, cell_metrics
from depthfake.settings import NO_DEPTH

MODEL = [*ROW, "depth_input"]
KEY = ["dataset", *COLUMN, *MODEL, "condition"]
BASELINE_MODEL = "rgb"
COUNTS = ["faces", "videos", "real_videos", "fake_videos", "depth_lost"]


def baseline_of(model: tuple) -> tuple:
    """The RGB baseline of a model key (model, backbone, depth, depth input)."""
    return BASELINE_MODEL, model[1], NO_DEPTH, NO_DEPTH


def seed_summary(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per KEY: the mean over seeds of every metric of depthfake.evaluation.metrics, the standard
    deviation (ddof 1; NaN with one seed) of the shown ones, the seeds, the fewest faces
    and videos of any seed, and the most faces whose depth fell back."""
    per_seed = cell_metrics(predictions)
    lost = predictions.groupby(CELL, sort=False)["depth_lost"].sum().rename("depth_lost")
    per_seed = per_seed.merge(lost.reset_index(), on=CELL)
    grouped = per_seed.groupby(KEY, sort=False)
    metrics = [c for c in per_seed if c not in {*CELL, *COUNTS}]
    summary = grouped[metrics].mean()
    summary[[f"{m}_sd" for m in SHOWN]] = grouped[SHOWN].std(ddof=1).to_numpy()
    counts = grouped[COUNTS].agg({**dict.fromkeys(COUNTS[:-1], "min"), "depth_lost": "max"})
    return summary.join(counts).assign(seeds=grouped.size()).reset_index()


def summarise(predictions: pd.DataFrame, seed: int = 0, resamples: int = RESAMPLES
              ) -> pd.DataFrame:
    """One row per cell (KEY): seed_summary's columns, one_class, and per shown metric its
    interval (`_low`, `_high`) and its difference from the baseline (`_delta`, with
    `_delta_low`, `_delta_high` and `_significant`; NaN and False for the baseline itself or
    without one)."""
    summary = seed_summary(predictions).set_index(KEY)
    summary["one_class"] = (summary["real_videos"] == 0) | (summary["fake_videos"] == 0)
    intervals = {}
    for column, part in predictions.groupby(["dataset", *COLUMN], sort=False):
        for condition, frames in part.groupby("condition", sort=False):
            models = {model: [f for _, f in runs.groupby("seed", sort=True)]
                      for model, runs in frames.groupby(MODEL, sort=False)}
            draws = replicates(models, column_seed(seed, column), resamples)
            for model, values in draws.items():
                baseline = draws.get(baseline_of(model)) if baseline_of(model) != model else None
                intervals[(*column, *model, condition)] = _intervals(values, baseline)
    summary = summary.join(pd.DataFrame(list(intervals.values()),
                                        index=pd.MultiIndex.from_tuples(intervals, names=KEY)))
    for metric in SHOWN:
        base = [(*k[:4], *baseline_of(k[4:8]), k[8]) for k in summary.index]
        summary[f"{metric}_delta"] = summary[metric].to_numpy() - summary[metric].reindex(
            base).to_numpy()
        summary.loc[summary[f"{metric}_delta_low"].isna(), f"{metric}_delta"] = np.nan
        summary[f"{metric}_significant"] = ~summary["one_class"] & (
            (summary[f"{metric}_delta_low"] > 0) | (summary[f"{metric}_delta_high"] < 0))
    statistics = [f"{m}_{part}" for m in SHOWN for part in (
        "low", "high", "delta", "delta_low", "delta_high", "significant")]
    return summary[[c for c in summary if c not in statistics] + statistics].reset_index()


def _intervals(values: dict[str, np.ndarray], baseline: dict[str, np.ndarray] | None
               ) -> dict[str, float]:
    """A cell's intervals, and those of its differences from `baseline`'s replicates."""
    out = {}
    for metric in SHOWN:
        out[f"{metric}_low"], out[f"{metric}_high"] = interval(values[metric])
        out[f"{metric}_delta_low"], out[f"{metric}_delta_high"] = (
            (np.nan, np.nan) if baseline is None else
            interval(values[metric] - baseline[metric]))
    return out
