"""The video bootstrap: weighted metrics are exact, videos (not frames) are resampled within
each class, and the paired interval covers a known gap at its nominal rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score

from depthfake.evaluation.bootstrap import (
    interval,
    replicates,
    video_draws,
    weighted_accuracy,
    weighted_auc,
)


def test_weighted_auc_equals_sklearns_with_sample_weights_ties_included():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 60)
    scores = np.round(rng.uniform(0, 1, 60), 1)  # many ties
    weights = rng.integers(0, 4, (5, 60)).astype(float)
    expected = [roc_auc_score(labels, scores, sample_weight=w) for w in weights]
    assert weighted_auc(labels, scores, weights) == pytest.approx(expected)
    one_class = weighted_auc(labels, scores, weights * (labels == 1))
    assert np.isnan(one_class).all()


def test_weighted_accuracy_counts_each_item_as_often_as_drawn():
    correct = np.array([True, False, True])
    assert weighted_accuracy(correct, np.array([[1.0, 1, 1], [2, 0, 0], [0, 3, 1]])) == \
        pytest.approx([2 / 3, 1, 1 / 4])


def test_draws_keep_each_class_count_and_resample_whole_videos():
    labels = np.array([0, 0, 0, 1, 1, 1, 1])
    draws = video_draws(labels, 200, np.random.default_rng(0))
    assert (draws[:, labels == 0].sum(axis=1) == 3).all()
    assert (draws[:, labels == 1].sum(axis=1) == 4).all()
    assert draws.std(axis=0).min() > 0  # every video is sometimes drawn more, sometimes less


def frames_of(video_labels: np.ndarray, correct_margin: np.ndarray, frames: int,
              model: str) -> pd.DataFrame:
    """Predictions whose frame is right where its margin is positive."""
    labels = np.repeat(video_labels, frames)
    signed = np.where(labels == 1, 1, -1) * correct_margin
    return pd.DataFrame(dict(video=np.repeat([f"{i:03d}" for i in range(len(video_labels))],
                                             frames),
                             kind=np.where(labels == 1, "FaceSwap", "real"),
                             frame=np.tile(np.arange(frames), len(video_labels)),
                             label=labels, prob_fake=1 / (1 + np.exp(-signed)), model=model))


def margin(rng: np.random.Generator, videos: int, frames: int, video_sd: float,
           frame_sd: float) -> np.ndarray:
    """A per-video part repeated over its frames, plus a per-frame part."""
    return np.repeat(rng.normal(0, video_sd, videos), frames) + rng.normal(0, frame_sd,
                                                                          videos * frames)


def test_the_paired_interval_covers_a_known_gap_at_its_nominal_rate():
    """Frames are correlated within a video: both models share each video's difficulty and
    each frame's, and each model has its own per-video and per-frame parts. A frame is right
    where its margin is positive, so a model's accuracy is Phi(mean / total sd): the true gap
    is known. (Resampling frames instead of videos covers it about 2 times in 3.)"""
    videos, frames, simulations = 100, 8, 500
    mean_a, mean_b = 1.0, 0.7
    video_sd, frame_sd, own_video_sd, own_frame_sd = 1.0, 0.3, 0.6, 0.3
    total = np.sqrt(video_sd**2 + frame_sd**2 + own_video_sd**2 + own_frame_sd**2)
    gap = norm.cdf(mean_a / total) - norm.cdf(mean_b / total)
    covered = 0
    for simulation in range(simulations):
        rng = np.random.default_rng(simulation)
        video_labels = np.repeat([0, 1], videos // 2)
        shared = margin(rng, videos, frames, video_sd, frame_sd)
        models = {name: [frames_of(video_labels, mean + shared + margin(
            rng, videos, frames, own_video_sd, own_frame_sd), frames, name)]
                  for name, mean in (("a", mean_a), ("b", mean_b))}
        draws = replicates(models, np.random.default_rng(10_000 + simulation))
        low, high = interval(draws["a"]["frame_accuracy"] - draws["b"]["frame_accuracy"])
        covered += low <= gap <= high
    assert 0.92 <= covered / simulations <= 0.98, covered / simulations
