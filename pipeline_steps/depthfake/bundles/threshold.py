"""A bundle's decision threshold, chosen on the validation videos, and the test metrics at a
threshold with cluster-bootstrap intervals.

A video's score is the mean fake probability of its frames with a face (as in evaluation);
it is called fake at the threshold or above. The threshold maximises balanced accuracy on the
validation videos (Youden's J): it is the midpoint between the two neighbouring scores (or 0
and 1 at the ends) it falls between, and among equally good ones the nearest to 0.5.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from depthfake.evaluation.bootstrap import ReplicateMetrics, cluster_draws
from depthfake.evaluation.metrics import video_level

RULE = ("the video score (the mean fake probability of its frames with a face) threshold "
        "that maximises balanced accuracy on the validation videos (Youden's J), midway "
        "between neighbouring scores; among ties the nearest to 0.5")
# The metrics at a threshold, over test videos.
AT_THRESHOLD = ("accuracy", "balanced_accuracy", "fake_recall", "real_recall")


def finite(value: float | None) -> float | None:
    """A number for JSON: None where it is missing or NaN."""
    return None if value is None or math.isnan(value) else float(value)


def interval_text(value: dict, percent: bool) -> str:
    """A summary of metrics_at_thresholds (or of a robustness row) as `value [low, high]`,
    accuracies in %; n/a without a value."""
    if value["value"] is None:
        return "n/a"
    scale, digits = (100, 1) if percent else (1, 3)
    bounds = ("" if value["low"] is None else
              f" [{scale * value['low']:.{digits}f}, {scale * value['high']:.{digits}f}]")
    return f"{scale * value['value']:.{digits}f}{bounds}"


def video_scores(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per video: its label, its cluster and its score."""
    clusters = predictions.groupby(["video", "kind"], sort=False)["cluster"].first()
    videos = video_level(predictions)
    return videos.assign(cluster=clusters.reindex(
        pd.MultiIndex.from_frame(videos[["video", "kind"]])).to_numpy())


def balanced_accuracy(labels: np.ndarray, scores: np.ndarray, threshold: float) -> float:
    called = scores >= threshold
    return float((called[labels == 1].mean() + (~called[labels == 0]).mean()) / 2)


def choose_threshold(videos: pd.DataFrame) -> float:
    """The threshold of RULE over `videos` (video_scores), which needs both classes."""
    labels, scores = videos["label"].to_numpy(), videos["prob_fake"].to_numpy(np.float64)
    if len(np.unique(labels)) < 2:
        raise ValueError("choosing a threshold needs real and fake validation videos; the "
                         f"validation set has {len(labels)} videos of one class")
    edges = np.concatenate([[0.0], np.unique(scores), [1.0]])
    candidates = (edges[:-1] + edges[1:]) / 2
    quality = np.array([balanced_accuracy(labels, scores, t) for t in candidates])
    best = candidates[np.isclose(quality, quality.max(), rtol=0, atol=1e-12)]
    return float(best[np.argmin(np.abs(best - 0.5))])


def rates(labels: np.ndarray, called: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """AT_THRESHOLD per replicate, from video weights (replicates, videos)."""
    right = (called == (labels == 1)).astype(np.float64)
    fake, real = labels == 1, labels == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        fake_recall = weights[:, fake] @ right[fake] / weights[:, fake].sum(axis=1)
        real_recall = weights[:, real] @ right[real] / weights[:, real].sum(axis=1)
        return {"accuracy": weights @ right / weights.sum(axis=1),
                "balanced_accuracy": (fake_recall + real_recall) / 2,
                "fake_recall": fake_recall, "real_recall": real_recall}


def metrics_at_thresholds(predictions: pd.DataFrame, thresholds: dict[str, float], *,
                          resamples: int, level: float, seed: int) -> dict:
    """The test videos' AUC, and at each named threshold AT_THRESHOLD, each as
    {value, low, high}: a percentile interval at `level` over `resamples` draws of the
    clusters of related videos."""
    videos = video_scores(predictions)
    clusters, position = np.unique(videos["cluster"].astype(str), return_inverse=True)
    weights = cluster_draws(len(clusters), resamples, np.random.default_rng(seed))[:, position]
    once = np.ones((1, len(videos)))
    keys = pd.MultiIndex.from_frame(videos[["video", "kind"]])
    auc = ReplicateMetrics(predictions, keys)
    labels, scores = videos["label"].to_numpy(), videos["prob_fake"].to_numpy(np.float64)
    tail = (1 - level) / 2

    def summary(value: float, replicates: np.ndarray) -> dict:
        if np.isnan(replicates).all():
            return {"value": finite(value), "low": None, "high": None}
        low, high = np.nanquantile(replicates, [tail, 1 - tail])
        return {"value": finite(value), "low": finite(low), "high": finite(high)}

    out = {"videos": len(videos), "real_videos": int((labels == 0).sum()),
           "fake_videos": int((labels == 1).sum()), "clusters": len(clusters),
           "faces": len(predictions), "level": level, "resamples": resamples,
           "video_auc": summary(auc(once)["video_auc"][0], auc(weights)["video_auc"])}
    for name, threshold in thresholds.items():
        called = scores >= threshold
        point, replicates = rates(labels, called, once), rates(labels, called, weights)
        out[name] = {"threshold": threshold, **{metric: summary(point[metric][0],
                                                                replicates[metric])
                                                for metric in AT_THRESHOLD}}
    return out
