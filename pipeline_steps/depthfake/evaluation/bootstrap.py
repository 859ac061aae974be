"""Intervals over test videos: a stratified bootstrap that resamples videos, not frames.

Frames of one video are correlated (one person, one manipulation), so the unit drawn is the
video: each replicate draws the real videos and the fake videos with replacement (stratified,
so both classes keep their counts and AUC stays defined), and every frame of a drawn video
counts as often as its video was drawn. Paired differences apply the same replicates to two
models' predictions of the same faces. Intervals are percentile intervals.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from depthfake.evaluation.metrics import THRESHOLD, video_level

# The metrics bootstrapped: frame accuracy, frame AUC, video AUC.
SHOWN = ["frame_accuracy", "frame_auc", "video_auc"]
RESAMPLES = 1000
LEVEL = 0.95
VIDEO_KEY = ["video", "kind"]
# Replicates are computed in blocks of this many, to bound memory on large test sets.
BLOCK = 100


def video_draws(labels: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(resamples, videos) counts: how often each video is drawn, per class, per replicate."""
    videos = len(labels)
    counts = np.zeros(resamples * videos, np.float64)
    offsets = np.arange(resamples)[:, None] * videos
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        drawn = members[rng.integers(0, len(members), size=(resamples, len(members)))]
        counts += np.bincount((offsets + drawn).ravel(), minlength=resamples * videos)
    return counts.reshape(resamples, videos)


def weighted_accuracy(correct: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Accuracy per replicate: `correct` (n,) booleans, `weights` (replicates, n)."""
    return weights @ correct.astype(np.float64) / weights.sum(axis=1)


def weighted_auc(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC per replicate (the Mann-Whitney statistic with ties counted half), each item
    counted with its weight; NaN where a replicate lacks a class."""
    order = np.argsort(scores, kind="stable")
    scores, labels, weights = scores[order], labels[order], weights[:, order]
    starts = np.flatnonzero(np.r_[True, np.diff(scores) != 0])  # groups of tied scores
    fake = np.add.reduceat(weights * (labels == 1), starts, axis=1)
    real = np.add.reduceat(weights * (labels == 0), starts, axis=1)
    real_below = np.cumsum(real, axis=1) - real
    pairs = fake.sum(axis=1) * real.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, (fake * (real_below + 0.5 * real)).sum(axis=1) / pairs,
                        np.nan)


def shown_metrics(frames: pd.DataFrame, videos: pd.MultiIndex
                  ) -> Callable[[np.ndarray], dict[str, np.ndarray]]:
    """A function of video weights (replicates, len(videos)) giving frame accuracy, frame AUC
    and video AUC (a video's score: its frames' mean) per replicate, for one model's
    predictions `frames` (video, kind, label, prob_fake) of those videos."""
    position = videos.get_indexer(pd.MultiIndex.from_frame(frames[VIDEO_KEY]))
    if (position < 0).any():
        raise ValueError("predictions of videos outside the resampled set")
    labels, scores = frames["label"].to_numpy(), frames["prob_fake"].to_numpy(np.float64)
    correct = (scores >= THRESHOLD) == (labels == 1)
    per_video = video_level(frames)
    video_position = videos.get_indexer(pd.MultiIndex.from_frame(per_video[VIDEO_KEY]))

    def metrics(weights: np.ndarray) -> dict[str, np.ndarray]:
        frame_weights = weights[:, position]
        return dict(zip(SHOWN, (
            weighted_accuracy(correct, frame_weights),
            weighted_auc(labels, scores, frame_weights),
            weighted_auc(per_video["label"].to_numpy(),
                         per_video["prob_fake"].to_numpy(np.float64),
                         weights[:, video_position])), strict=True))

    return metrics


def column_seed(seed: int, column: tuple) -> np.random.Generator:
    """The generator of one table column's replicates: the same for every row, model and
    condition of the column, so differences between them are paired."""
    return np.random.default_rng([seed, *(zlib.crc32(str(part).encode()) for part in column)])


def replicates(models: dict[object, list[pd.DataFrame]], rng: np.random.Generator,
               resamples: int = RESAMPLES) -> dict[object, dict[str, np.ndarray]]:
    """Per model (key -> its seeds' predictions of one column's faces): each shown metric on
    every replicate, averaged over the model's seeds. All models share the replicates."""
    everything = pd.concat([f for runs in models.values() for f in runs], ignore_index=True)
    per_video = everything.groupby(VIDEO_KEY, sort=True)["label"].first()
    videos = per_video.index
    draws = video_draws(per_video.to_numpy(), resamples, rng)
    functions = {key: [shown_metrics(f, videos) for f in runs] for key, runs in models.items()}
    out: dict[object, dict[str, list[np.ndarray]]] = {key: {} for key in models}
    for start in range(0, resamples, BLOCK):
        block = draws[start:start + BLOCK]
        for key, seeds in functions.items():
            per_seed = [metrics(block) for metrics in seeds]
            for name in per_seed[0]:
                out[key].setdefault(name, []).append(
                    np.mean([values[name] for values in per_seed], axis=0))
    return {key: {name: np.concatenate(parts) for name, parts in metrics.items()}
            for key, metrics in out.items()}


def interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """The percentile interval of replicate values (NaN replicates left out; NaN if all)."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return np.nan, np.nan
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)
