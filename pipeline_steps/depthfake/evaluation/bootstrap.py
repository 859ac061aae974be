"""The cluster bootstrap: test videos resampled in clusters of related videos, and every
replicate's metrics from counts made once per model.

Related videos (an FF++ test pair: its two reals and every fake made from them) share people
and backgrounds, so their errors are correlated: the unit drawn is the cluster
(`depthfake.datasets.base.Video.cluster`). A replicate draws a column's clusters with
replacement and counts each frame of a drawn cluster's videos as often as its cluster was
drawn. A model's replicate metrics come from counts made once: per video, its frames and the
frames called right (accuracy); per (fake video, real video), how many of their frame pairs
rank the fake above the real, ties counted half (the Mann-Whitney form of AUC). Every
replicate's AUC is then two matrix products of the replicates' video weights with those counts.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from depthfake.evaluation.metrics import THRESHOLD, video_level

# The metrics bootstrapped: frame accuracy, frame AUC, video AUC.
SHOWN = ["frame_accuracy", "frame_auc", "video_auc"]
VIDEO_KEY = ["video", "kind"]
# Entries of the largest array made while counting frame pairs: bounds memory per column.
PAIR_BLOCK = 1 << 22


def cluster_draws(clusters: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(resamples, clusters) counts: how often each cluster is drawn, per replicate."""
    drawn = rng.integers(0, clusters, size=(resamples, clusters))
    offsets = np.arange(resamples)[:, None] * clusters
    counts = np.bincount((offsets + drawn).ravel(), minlength=resamples * clusters)
    return counts.reshape(resamples, clusters).astype(np.float64)


def pair_wins(fake_scores: np.ndarray, fake_videos: np.ndarray, real_scores: np.ndarray,
              real_videos: np.ndarray, fakes: int, reals: int) -> np.ndarray:
    """(fakes, reals): per fake and real video, how many pairs of their frames rank the fake
    frame above the real one, ties counted half. `*_videos`: each frame's video, 0..n-1, each
    video with at least one frame."""
    if not fakes or not reals:
        return np.zeros((fakes, reals))
    order = np.argsort(fake_videos, kind="stable")
    fake_scores = fake_scores[order]
    starts = np.searchsorted(fake_videos[order], np.arange(fakes))
    wins = np.empty((fakes, reals))
    block = max(1, PAIR_BLOCK // max(len(fake_scores), 1))
    for first in range(0, reals, block):
        width = min(block, reals - first)
        members = (real_videos >= first) & (real_videos < first + width)
        values = np.unique(real_scores[members])
        # below[k, j]: frames of real video first + j scored under values[k]
        histogram = np.bincount(
            (np.searchsorted(values, real_scores[members]) + 1) * width
            + real_videos[members] - first,
            minlength=(len(values) + 1) * width).reshape(len(values) + 1, width)
        below = np.cumsum(histogram, axis=0, dtype=np.float32)
        ranked = (below[np.searchsorted(values, fake_scores, "left")]
                  + below[np.searchsorted(values, fake_scores, "right")])
        wins[:, first:first + width] = np.add.reduceat(ranked, starts, axis=0) / 2
    return wins


class ReplicateMetrics:
    """One model's predictions of a column's faces (video, kind, label, prob_fake), as the
    counts every replicate's frame accuracy, frame AUC and video AUC are made from."""

    def __init__(self, frames: pd.DataFrame, videos: pd.MultiIndex):
        position = videos.get_indexer(pd.MultiIndex.from_frame(frames[VIDEO_KEY]))
        if (position < 0).any():
            raise ValueError("predictions of videos outside the resampled set")
        labels = frames["label"].to_numpy()
        scores = frames["prob_fake"].to_numpy(np.float64)
        self.frames = np.bincount(position, minlength=len(videos)).astype(np.float64)
        self.correct = np.bincount(position, weights=(scores >= THRESHOLD) == (labels == 1),
                                   minlength=len(videos))
        video_labels = np.zeros(len(videos), int)
        video_labels[position] = labels
        self.fake = np.flatnonzero((video_labels == 1) & (self.frames > 0))
        self.real = np.flatnonzero((video_labels == 0) & (self.frames > 0))
        fake_rank = np.full(len(videos), -1)
        real_rank = np.full(len(videos), -1)
        fake_rank[self.fake], real_rank[self.real] = np.arange(len(self.fake)), np.arange(
            len(self.real))
        is_fake = labels == 1
        self.frame_wins = pair_wins(scores[is_fake], fake_rank[position[is_fake]],
                                    scores[~is_fake], real_rank[position[~is_fake]],
                                    len(self.fake), len(self.real))
        per_video = video_level(frames)
        mean_score = np.zeros(len(videos))
        mean_score[videos.get_indexer(pd.MultiIndex.from_frame(per_video[VIDEO_KEY]))] = \
            per_video["prob_fake"].to_numpy(np.float64)
        self.video_wins = pair_wins(mean_score[self.fake], np.arange(len(self.fake)),
                                    mean_score[self.real], np.arange(len(self.real)),
                                    len(self.fake), len(self.real))

    def __call__(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """Each shown metric per replicate, from video weights (replicates, videos); NaN
        where a replicate draws no frame, or (AUC) no frame of a class."""
        fake, real = weights[:, self.fake], weights[:, self.real]
        with np.errstate(invalid="ignore", divide="ignore"):
            return dict(zip(SHOWN, (
                weights @ self.correct / (weights @ self.frames),
                auc(self.frame_wins, fake, real, fake @ self.frames[self.fake],
                    real @ self.frames[self.real]),
                auc(self.video_wins, fake, real, fake.sum(axis=1), real.sum(axis=1))),
                strict=True))


def auc(wins: np.ndarray, fake: np.ndarray, real: np.ndarray, fake_total: np.ndarray,
        real_total: np.ndarray) -> np.ndarray:
    """Per replicate: the weighted share of (fake, real) pairs ranked right; NaN without
    pairs. `fake`, `real`: video weights per replicate; `*_total`: their weighted items."""
    pairs = fake_total * real_total
    right = ((fake @ wins) * real).sum(axis=1)
    return np.where(pairs > 0, right / np.where(pairs > 0, pairs, 1), np.nan)


def column_rng(seed: int, column: tuple) -> np.random.Generator:
    """The generator of one table column's replicates: the same for every row, model and
    condition of the column, so differences between them are paired."""
    return np.random.default_rng([seed, *(zlib.crc32(str(part).encode()) for part in column)])
