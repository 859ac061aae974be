"""Every cell's metrics over seeds, with intervals that hold both the test videos' sampling
(the cluster bootstrap) and the training runs' variation (the seeds), and each model's
difference from the RGB baseline of its backbone with its p-value.

A cell is one model (model, backbone, depth backend, depth input) on one column (test data
set, compression, forgery) under one condition. Every model and condition of a column shares
the column's replicates (depthfake.evaluation.bootstrap), so differences are paired over the
same resampled clusters. An estimate is the mean over seeds; its standard error combines the
bootstrap's (of that seed mean, scaled by K / (K - 1) for K clusters) with the seeds' (their
standard deviation over the root of their number; a difference adds both models'). The
interval is the estimate plus or minus a Student-t quantile times that error, its degrees of
freedom Welch-Satterthwaite's, the bootstrap part counting K - 1 and each model's seeds their
number less one (one seed: no training noise); the p-value of a difference is the same t
test's. Which differences are marked is the tables'
decision (depthfake.evaluation.marks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from depthfake.evaluation.bootstrap import (
    SHOWN,
    VIDEO_KEY,
    ReplicateMetrics,
    cluster_draws,
    column_rng,
)
from depthfake.evaluation.conditions import CLEAN
from depthfake.evaluation.metrics import CELL, COLUMN, ROW, cell_metrics
from depthfake.settings import (
    CLEAN_REFERENCE,
    ESTIMATED,
    NO_DEPTH,
    ZERO_DEPTH,
    BootstrapSettings,
)

MODEL = [*ROW, "depth_input"]
KEY = ["dataset", *COLUMN, *MODEL, "condition"]
BASELINE_MODEL = "rgb"
COUNTS = ["faces", "videos", "real_videos", "fake_videos", "depth_lost"]
# The clusters of a cell's test set: all, those holding a real video, those holding a fake.
CLUSTER_COUNTS = ["clusters", "real_clusters", "fake_clusters"]


def clean_predictions(predictions: pd.DataFrame) -> pd.DataFrame:
    """The clean test set as the detection table has it: models that read no depth, and
    depth-reading models on their stored maps (`estimated`) and on zeros."""
    return predictions[(predictions["condition"] == CLEAN)
                       & predictions["depth_input"].isin([NO_DEPTH, ESTIMATED, ZERO_DEPTH])]


def mode_cells(cells: pd.DataFrame, mode: str) -> pd.DataFrame:
    """A depth mode's cells (of predictions or statistics): models that read no depth and
    zeros, and the mode's depth input, under every attack and clean, the clean ones being the
    mode's reference: `recompute` re-estimates depth from the clean crop (its landmarks
    re-fitted there), `perturb` reads the stored maps (`estimated`)."""
    clean = cells["condition"] == CLEAN
    return cells[cells["depth_input"].isin([NO_DEPTH, ZERO_DEPTH])
                 | (~clean & (cells["depth_input"] == mode))
                 | (clean & (cells["depth_input"] == CLEAN_REFERENCE[mode]))]


def check_clean_reference(predictions: pd.DataFrame) -> None:
    """Refuse predictions of depth-reading models without their clean faces on the stored
    maps: they come from an evaluate step older than the `estimated` depth input."""
    depth_reading = predictions["depth_input"] != NO_DEPTH
    if depth_reading.any() and not (predictions["depth_input"] == ESTIMATED).any():
        raise ValueError("the predictions of depth-reading models have no clean rows on their "
                         "stored maps (depth input estimated): they come from an older "
                         "evaluate step; rerun it (snakemake --forcerun evaluate)")


def baseline_of(model: tuple) -> tuple:
    """The RGB baseline of a model key (model, backbone, depth, depth input)."""
    return BASELINE_MODEL, model[1], NO_DEPTH, NO_DEPTH


def seed_summary(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per KEY: the mean over seeds of every metric of depthfake.evaluation.metrics and its
    standard deviation (`_sd`, ddof 1; NaN with one seed), the seeds, the fewest faces and
    videos of any seed, and the most faces whose depth fell back."""
    per_seed = cell_metrics(predictions)
    lost = predictions.groupby(CELL, sort=False)["depth_lost"].sum().rename("depth_lost")
    per_seed = per_seed.merge(lost.reset_index(), on=CELL)
    grouped = per_seed.groupby(KEY, sort=False)
    metrics = [c for c in per_seed if c not in {*CELL, *COUNTS}]
    summary = grouped[metrics].mean()
    summary[[f"{m}_sd" for m in metrics]] = grouped[metrics].std(ddof=1).to_numpy()
    counts = grouped[COUNTS].agg({**dict.fromkeys(COUNTS[:-1], "min"), "depth_lost": "max"})
    return summary.join(counts).assign(seeds=grouped.size()).reset_index()


def welch_interval(estimate: float, bootstrap_se: float, clusters: int,
                   seed_parts: list[tuple[float, int]], level: float
                   ) -> tuple[float, float, float, float]:
    """(standard error, degrees of freedom, low, high) of an estimate whose bootstrap over
    `clusters` clusters gave `bootstrap_se`, plus, per model averaged over seeds, its (seed
    standard deviation, seeds); a model with one seed adds nothing. The bootstrap part is
    scaled by sqrt(K / (K - 1)) and counts K - 1 degrees of freedom, as a t test over K
    clusters would."""
    sampled = bootstrap_se**2 * clusters / (clusters - 1) if clusters > 1 else np.nan
    variances = [(sd**2 / n, n) for sd, n in seed_parts if n > 1 and np.isfinite(sd)]
    parts = [(sampled, clusters - 1), *((v, n - 1) for v, n in variances)]
    total = sum(v for v, _ in parts)
    freedom = total**2 / sum(v**2 / df for v, df in parts) if total > 0 else np.inf
    se = float(np.sqrt(total))
    half = stats.t.ppf((1 + level) / 2, freedom) * se
    return se, float(freedom), estimate - half, estimate + half


def p_value(estimate: float, se: float, freedom: float) -> float:
    """Two-sided p-value of a difference of zero; NaN where its error is zero or unknown."""
    if not np.isfinite(se) or se <= 0 or not np.isfinite(estimate):
        return np.nan
    return float(2 * stats.t.sf(abs(estimate) / se, freedom))


def column_replicates(frames: pd.DataFrame, rng: np.random.Generator, resamples: int
                      ) -> dict[tuple, dict[str, np.ndarray]]:
    """Per (model, condition) of one column: each shown metric's seed mean on every
    replicate; all share the replicates' clusters."""
    videos = frames.drop_duplicates(VIDEO_KEY).sort_values(VIDEO_KEY)
    index = pd.MultiIndex.from_frame(videos[VIDEO_KEY])
    clusters, cluster_of_video = np.unique(videos["cluster"].to_numpy(str), return_inverse=True)
    weights = cluster_draws(len(clusters), resamples, rng)[:, cluster_of_video]
    out = {}
    for key, cell in frames.groupby([*MODEL, "condition"], sort=False):
        per_seed = [ReplicateMetrics(runs, index)(weights)
                    for _, runs in cell.groupby("seed", sort=True)]
        out[key] = {m: np.mean([values[m] for values in per_seed], axis=0) for m in SHOWN}
    return out


def cluster_counts(frames: pd.DataFrame) -> dict[str, int]:
    """A column's clusters: all of them, those with a real video, those with a fake one."""
    by_class = frames.groupby("label")["cluster"].nunique()
    return dict(zip(CLUSTER_COUNTS, (frames["cluster"].nunique(), int(by_class.get(0, 0)),
                                     int(by_class.get(1, 0))), strict=True))


def column_statistics(predictions: pd.DataFrame, settings: BootstrapSettings
                      ) -> pd.DataFrame:
    """One row per cell (KEY) of the predictions' columns (every condition and depth input of
    evaluate: the tables pick theirs): seed_summary's columns, one_class,
    the test data's compression, the cluster counts, the intervals' confidence level and
    replicates, the
    baseline's seeds, and per shown metric its standard error (`_se`), interval (`_low`,
    `_high`), difference from the baseline (`_delta`, with `_delta_se`, `_delta_low`,
    `_delta_high` and the p-value `_p`; NaN for the baseline itself or without one)."""
    if "cluster" not in predictions:
        raise ValueError("the predictions have no cluster column: they come from frames "
                         "extracted before clusters were; rerun from extraction (snakemake "
                         "--forcerun extract_frames)")
    check_clean_reference(predictions)
    summary = seed_summary(predictions).set_index(KEY)
    summary["one_class"] = (summary["real_videos"] == 0) | (summary["fake_videos"] == 0)
    rows = {}
    for column, frames in predictions.groupby(["dataset", *COLUMN], sort=False):
        draws = column_replicates(frames, column_rng(settings.seed, column),
                                  settings.resamples)
        counts = cluster_counts(frames)
        for (*model, condition), values in draws.items():
            key = (*column, *model, condition)
            base = baseline_of(tuple(model))
            base_key = (*column, *base, condition)
            has_base = tuple(model) != base and (*base, condition) in draws
            rows[key] = {**counts, "confidence": settings.level, "resamples": settings.resamples,
                         "test_compression": frames["test_compression"].iloc[0],
                         "baseline_seeds": summary.at[base_key, "seeds"] if has_base else np.nan}
            for metric in SHOWN:
                rows[key].update(_metric_statistics(
                    metric, values[metric], summary.loc[key],
                    (draws[(*base, condition)][metric], summary.loc[base_key])
                    if has_base else None, counts["clusters"], settings.level))
    statistics = pd.DataFrame(list(rows.values()),
                              index=pd.MultiIndex.from_tuples(rows, names=KEY))
    return summary.join(statistics).reset_index()


def _metric_statistics(metric: str, replicates: np.ndarray, cell: pd.Series,
                       baseline: tuple[np.ndarray, pd.Series] | None, clusters: int,
                       level: float) -> dict[str, float]:
    """A cell's error and interval of one metric, and those of its difference from the
    baseline (its replicates and summary row)."""
    estimate = cell[metric]
    parts = [(cell[f"{metric}_sd"], cell["seeds"])]
    se, _, low, high = welch_interval(estimate, _spread(replicates), clusters, parts, level)
    out = {f"{metric}_se": se, f"{metric}_low": max(low, 0.0), f"{metric}_high": min(high, 1.0),
           **{f"{metric}_{part}": np.nan for part in (
               "delta", "delta_se", "delta_low", "delta_high", "p")}}
    if baseline is not None and np.isfinite(estimate) and np.isfinite(baseline[1][metric]):
        base_replicates, base = baseline
        delta = estimate - base[metric]
        se, freedom, low, high = welch_interval(
            delta, _spread(replicates - base_replicates), clusters,
            [*parts, (base[f"{metric}_sd"], base["seeds"])], level)
        out.update({f"{metric}_delta": delta, f"{metric}_delta_se": se,
                    f"{metric}_delta_low": max(low, -1.0), f"{metric}_delta_high": min(high, 1.0),
                    f"{metric}_p": p_value(delta, se, freedom)})
    return out


def _spread(replicates: np.ndarray) -> float:
    """The bootstrap standard error: the replicates' standard deviation (NaN ones left out;
    NaN with fewer than two)."""
    finite = replicates[np.isfinite(replicates)]
    return float(finite.std(ddof=1)) if len(finite) > 1 else np.nan
