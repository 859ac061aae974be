"""The cluster bootstrap and the marks: replicate metrics are exact, clusters of related
videos are resampled whole, intervals cover a known gap at their nominal rate where videos of a
cluster are correlated (resampling videos does not), and under a true null with seed-to-seed
variation at most the nominal share of tables marks anything."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

from depthfake.evaluation import bootstrap
from depthfake.evaluation.bootstrap import ReplicateMetrics, cluster_draws, pair_wins
from depthfake.evaluation.cell_stats import column_statistics
from depthfake.evaluation.marks import holm, mark, unmarked_reason
from depthfake.evaluation.metrics import video_level
from depthfake.settings import BootstrapSettings, MarkSettings

from conftest import REPO

# What the calibration tests measured, as docs/statistics.md shows it (python docs/generate.py)
CALIBRATION = REPO / "docs" / "records" / "calibration.json"
REGENERATE = "DEPTHFAKE_REGENERATE"
CALIBRATION_TEST = f"{REGENERATE}=1 pytest tests/test_bootstrap.py -k calibration"


def check_record(name: str, measured: dict) -> None:
    """Compare what a calibration test measured with its record (the docs' numbers); with
    DEPTHFAKE_REGENERATE=1, write it there instead."""
    record = json.loads(CALIBRATION.read_text()) if CALIBRATION.exists() else {}
    if os.environ.get(REGENERATE):
        CALIBRATION.write_text(json.dumps({**record, name: measured}, indent=1) + "\n")
        return
    recorded = record.get(name, {})
    assert recorded.keys() == measured.keys() and all(
        abs(recorded[k] - measured[k]) <= 0.01 for k in measured), (
        f"{CALIBRATION.name} holds {recorded}, measured {measured}: measure it again with "
        f"{CALIBRATION_TEST}, then python docs/generate.py")


def predictions_of(labels: np.ndarray, scores: np.ndarray, frames: int) -> pd.DataFrame:
    """One model's predictions of videos with `frames` frames each (labels per frame)."""
    videos = len(labels) // frames
    return pd.DataFrame(dict(video=np.repeat([f"v{i:03d}" for i in range(videos)], frames),
                             kind=np.where(labels == 1, "FaceSwap", "real"), label=labels,
                             prob_fake=scores))


def test_replicate_metrics_equal_sklearns_with_weights_ties_included():
    rng = np.random.default_rng(0)
    frames, videos = 5, 40
    labels = np.repeat(rng.integers(0, 2, videos), frames)
    scores = np.round(rng.uniform(0, 1, videos * frames), 1)  # many ties
    table = predictions_of(labels, scores, frames)
    index = pd.MultiIndex.from_frame(table[["video", "kind"]].drop_duplicates())
    weights = rng.integers(0, 3, (6, videos)).astype(float)
    replicates = ReplicateMetrics(table, index)(weights)
    for r, video_weights in enumerate(weights):
        frame_weights = np.repeat(video_weights, frames)
        correct = (scores >= 0.5) == (labels == 1)
        assert replicates["frame_accuracy"][r] == pytest.approx(
            correct @ frame_weights / frame_weights.sum())
        assert replicates["frame_auc"][r] == pytest.approx(
            roc_auc_score(labels, scores, sample_weight=frame_weights))
        means = video_level(table)  # a video's score: its frames' mean, as the tables have it
        assert replicates["video_auc"][r] == pytest.approx(
            roc_auc_score(means["label"], means["prob_fake"], sample_weight=video_weights))
    fakes_only = ReplicateMetrics(table, index)(weights * (labels[::frames] == 1))
    assert np.isnan(fakes_only["frame_auc"]).all()


def test_pair_wins_count_every_frame_pair_in_blocks(monkeypatch):
    monkeypatch.setattr(bootstrap, "PAIR_BLOCK", 64)  # several blocks of real videos
    rng = np.random.default_rng(1)
    fake_scores, real_scores = np.round(rng.uniform(size=50), 1), np.round(rng.uniform(size=40), 1)
    fake_videos, real_videos = np.arange(50) % 5, np.arange(40) % 4
    expected = [[((f[:, None] > r) + 0.5 * (f[:, None] == r)).sum()
                 for r in (real_scores[real_videos == j] for j in range(4))]
                for f in (fake_scores[fake_videos == i] for i in range(5))]
    assert pair_wins(fake_scores, fake_videos, real_scores, real_videos, 5, 4) == \
        pytest.approx(np.array(expected))


def test_draws_resample_whole_clusters():
    draws = cluster_draws(7, 300, np.random.default_rng(0))
    assert (draws.sum(axis=1) == 7).all()
    assert draws.std(axis=0).min() > 0  # every cluster is sometimes drawn more, sometimes less


def clustered(rng: np.random.Generator, clusters: int, sizes: tuple[int, int], frames: int,
              parts: dict[str, float], shared: dict[str, np.ndarray] | None = None
              ) -> dict[str, np.ndarray]:
    """A margin per frame: a cluster part, a video part, a frame part (sds in `parts`), each
    drawn anew or, where `shared` has it, repeated from it."""
    reals, fakes = sizes
    videos = clusters * (reals + fakes)
    drawn = {"cluster": np.repeat(rng.normal(0, parts["cluster"], clusters),
                                  (reals + fakes) * frames),
             "video": np.repeat(rng.normal(0, parts["video"], videos), frames),
             "frame": rng.normal(0, parts["frame"], videos * frames)}
    return {name: drawn[name] + (shared or {}).get(name, 0) for name in drawn}


def column(margins: dict[str, np.ndarray], clusters: int, sizes: tuple[int, int], frames: int,
           unit: str) -> pd.DataFrame:
    """Predictions of an RGB baseline and a depth model (their frame margins) in clusters of
    `sizes` real and fake videos; `unit`: cluster, or video (each video its own)."""
    reals, fakes = sizes
    labels = np.tile(np.repeat(np.r_[np.zeros(reals), np.ones(fakes)], frames), clusters)
    per_cluster = (reals + fakes) * frames
    cluster_names = np.repeat([f"c{i:03d}" for i in range(clusters)], per_cluster)
    tables = []
    for (model, depth, depth_input), margin in margins.items():
        table = predictions_of(labels.astype(int), 1 / (1 + np.exp(-(2 * labels - 1) * margin)),
                               frames)
        tables.append(table.assign(
            cluster=cluster_names if unit == "cluster" else table["video"], model=model,
            backbone="b", depth=depth, depth_input=depth_input, seed=1, condition="clean",
            dataset="ff", test_dataset="ff", compression="c23", test_compression="c23",
            forgery="ALL", depth_lost=False, frame=np.tile(np.arange(frames), len(table)
                                                            // frames)))
    return pd.concat(tables, ignore_index=True)


def test_calibration_the_clustered_interval_covers_a_known_gap_and_the_video_one_does_not():
    """FF++'s ALL cells: clusters of 2 real and 8 fake videos (a test pair and its fakes).
    Both models share each cluster's, video's and frame's difficulty, and each has its own
    parts too, the cluster part the largest: a model is better on some people than on
    others. A frame is right where its margin is positive, so a model's accuracy is
    Phi(mean / total sd): the true gap is known."""
    clusters, sizes, frames, simulations = 30, (2, 8), 4, 500
    shared_parts = dict(cluster=0.8, video=0.6, frame=0.3)
    own_parts = dict(cluster=0.3, video=0.2, frame=0.2)
    means = {("rgb", "none", "none"): 0.6, ("mdn", "mesh", "estimated"): 0.9}
    total = np.sqrt(sum(v**2 for v in shared_parts.values()) + sum(
        v**2 for v in own_parts.values()))
    gap = norm.cdf(0.9 / total) - norm.cdf(0.6 / total)
    covered = dict(cluster=0, video=0)
    for simulation in range(simulations):
        rng = np.random.default_rng(simulation)
        shared = clustered(rng, clusters, sizes, frames, shared_parts)
        margins = {key: mean + sum(clustered(rng, clusters, sizes, frames, own_parts,
                                             shared).values())
                   for key, mean in means.items()}
        for unit in covered:
            cells = column_statistics(column(margins, clusters, sizes, frames, unit),
                                      BootstrapSettings(resamples=300, seed=simulation))
            mdn = cells[cells["model"] == "mdn"].iloc[0]
            covered[unit] += mdn["frame_accuracy_delta_low"] <= gap <= mdn[
                "frame_accuracy_delta_high"]
    rates = {unit: count / simulations for unit, count in covered.items()}
    assert 0.92 <= rates["cluster"] <= 0.98, rates
    assert rates["video"] <= rates["cluster"] - 0.1, rates
    check_record("coverage", {"simulations": simulations, "clusters": clusters,
                              "clustered": rates["cluster"], "videos": rates["video"]})


def null_table(rng: np.random.Generator, seed_sd: float, seeds: int) -> pd.DataFrame:
    """Two columns of 12 FF++-like clusters (2 reals and 2 fakes each); an RGB baseline and a
    depth model equally good, each training seed shifting its model's margins."""
    clusters, sizes, frames = 12, (2, 2), 3
    parts = dict(cluster=0.6, video=0.5, frame=0.3)
    columns = []
    for forgery in ("FaceSwap", "Face2Face"):
        shared = clustered(rng, clusters, sizes, frames, parts)
        for seed in range(seeds):
            margins = {key: 0.8 + rng.normal(0, seed_sd) + sum(
                clustered(rng, clusters, sizes, frames, dict(cluster=0.3, video=0.3,
                                                             frame=0.2), shared).values())
                for key in (("rgb", "none", "none"), ("mdn", "mesh", "estimated"))}
            columns.append(column(margins, clusters, sizes, frames, "cluster").assign(
                seed=seed, forgery=forgery))
    return pd.concat(columns, ignore_index=True)


def test_calibration_under_a_true_null_with_training_noise_few_tables_mark_anything():
    """400 tables of 2 columns x 3 metrics, 3 seeds each, the seeds' spread as large as the
    test set's: at most 7 % mark any difference (5 % nominal, Holm over the table). Without
    the correction, far more tables would mark something."""
    tables = 400
    marked = dict(holm=0, none=0)
    for simulation in range(tables):
        rng = np.random.default_rng(50_000 + simulation)
        cells = column_statistics(null_table(rng, seed_sd=0.25, seeds=3),
                                  BootstrapSettings(resamples=200, seed=simulation))
        for family in marked:
            table = mark(cells, MarkSettings(family_wise=family))
            marked[family] += bool(table.filter(like="_significant").to_numpy().any())
    assert (table["unmarked"] == "").all()  # every comparison could be marked
    assert marked["holm"] / tables <= 0.07, marked
    assert marked["none"] > marked["holm"], marked
    check_record("null", {"tables": tables, "holm": marked["holm"] / tables,
                          "uncorrected": marked["none"] / tables})


def test_holm_adjusts_step_down_and_skips_missing_p_values():
    adjusted = holm(np.array([0.01, np.nan, 0.04, 0.03, 0.005]))
    # sorted 0.005, 0.01, 0.03, 0.04 (m = 4): 0.02, 0.03, 0.06, 0.06 (monotone)
    assert adjusted[[4, 0, 3, 2]] == pytest.approx([0.02, 0.03, 0.06, 0.06])
    assert np.isnan(adjusted[1])


@pytest.mark.parametrize("cell, reason", [
    (dict(one_class=True), "one class"),
    (dict(seeds=1, baseline_seeds=3), "1 seed (marks need 3)"),
    (dict(seeds=3, baseline_seeds=2), "2 seeds (marks need 3)"),
    (dict(real_clusters=1, fake_clusters=1), "1 cluster of a class (marks need 5)"),
    (dict(seeds=1, fake_clusters=2), "1 seed (marks need 3) and 2 clusters of a class (marks "
                                     "need 5)"),
    ({}, ""),
])
def test_a_difference_needs_seeds_and_clusters_of_both_classes(cell, reason):
    full = dict(one_class=False, seeds=3, baseline_seeds=3, real_clusters=5, fake_clusters=9)
    assert unmarked_reason(pd.Series({**full, **cell}), MarkSettings()) == reason


def test_a_cell_of_one_video_per_class_is_never_marked():
    """The held-out cell of a review: one test video per class, a zero-width interval."""
    margins = {("rgb", "none", "none"): np.full(6, -2.0),
               ("mdn", "mesh", "estimated"): np.full(6, 2.0)}
    cells = column_statistics(column(margins, 1, (1, 1), 3, "cluster"),
                              BootstrapSettings(resamples=100))
    table = mark(cells, MarkSettings(min_seeds=2))
    mdn = table[table["model"] == "mdn"].iloc[0]
    assert mdn["frame_accuracy_delta"] == pytest.approx(1.0)
    assert not table.filter(like="_significant").to_numpy().any()
    assert mdn["unmarked"] == "1 seed (marks need 2) and 1 cluster of a class (marks need 5)"


def test_predictions_without_clusters_name_the_step_to_rerun():
    margins = {("rgb", "none", "none"): np.full(6, 1.0)}
    old = column(margins, 1, (1, 1), 3, "cluster").drop(columns="cluster")
    with pytest.raises(ValueError, match="no cluster column.*--forcerun extract_frames"):
        column_statistics(old, BootstrapSettings())
