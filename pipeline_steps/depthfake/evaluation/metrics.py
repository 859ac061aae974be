"""Detection metrics from fake-class probabilities: frame and video level, per kind, per cell.

Label 1 is fake; `prob_fake` is the fake-class probability, and a face is called fake at
THRESHOLD or above. Accuracies are fractions in [0, 1]; AUC, EER and AP are NaN when only
one class is present. `fake_share` is the accuracy of a detector that always says fake. A
table column is (test data set, compression trained at, forgery trained on); tables and
figures show its compression as the test data's own (compression_labels).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sklearn
from numpy.typing import ArrayLike
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    roc_auc_score,
    roc_curve,
)

THRESHOLD = 0.5
ROW = ["model", "backbone", "depth"]
COLUMN = ["test_dataset", "compression", "forgery"]
CELL = ["dataset", *COLUMN, *ROW, "depth_input", "seed", "condition"]
KIND_ACCURACY = "kind_accuracy_"


def compression_labels(predictions: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(test data set, compression trained at) -> the compression tables and figures show:
    the test data's own, with the training one after it where they differ (Celeb-DF, in one
    quality: "none (trained at c40)")."""
    if "test_compression" not in predictions:
        raise ValueError("the predictions have no test_compression column: they come from an "
                         "older evaluate step; rerun it (snakemake --forcerun evaluate)")
    pairs = predictions[["test_dataset", "compression", "test_compression"]].drop_duplicates()
    return {(test, trained): tested if tested == trained else f"{tested} (trained at {trained})"
            for test, trained, tested in pairs.itertuples(index=False, name=None)}


def labelled(predictions: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """The predictions with their compression as `labels` (compression_labels) show it."""
    keys = pd.MultiIndex.from_frame(predictions[["test_dataset", "compression"]])
    return predictions.assign(compression=pd.Series(labels).reindex(keys).to_numpy())


def equal_error_rate(labels: ArrayLike, probs: ArrayLike) -> float:
    """The ROC's point where the false-positive rate equals the false-negative rate
    (fpr + tpr = 1), interpolated linearly between ROC points."""
    fpr, tpr, _ = roc_curve(labels, probs, drop_intermediate=False)
    return float(np.interp(1.0, fpr + tpr, fpr))  # fpr + tpr rises strictly along the ROC


def binary_metrics(labels: ArrayLike, probs: ArrayLike) -> dict[str, float]:
    """accuracy, balanced_accuracy, auc, eer, ap (average precision) and fake_share."""
    labels, probs = np.asarray(labels, dtype=int), np.asarray(probs, dtype=float)
    called = (probs >= THRESHOLD).astype(int)
    accuracy, one_class = float((called == labels).mean()), len(np.unique(labels)) < 2
    return {"accuracy": accuracy,  # with one class balanced accuracy is its recall: accuracy
            "balanced_accuracy": accuracy if one_class
            else float(balanced_accuracy_score(labels, called)),
            "auc": np.nan if one_class else float(roc_auc_score(labels, probs)),
            "eer": np.nan if one_class else equal_error_rate(labels, probs),
            "ap": np.nan if one_class else float(average_precision_score(labels, probs)),
            "fake_share": float(labels.mean())}


def video_level(frames: pd.DataFrame) -> pd.DataFrame:
    """One row per (video, kind): its label and the mean fake probability of its frames."""
    return (frames.groupby(["video", "kind"], sort=False)
            .agg(label=("label", "first"), prob_fake=("prob_fake", "mean")).reset_index())


def per_kind_accuracy(frames: pd.DataFrame) -> dict[str, float]:
    """Frame accuracy per kind: the share of real faces called real ("real") and of each
    forgery's faces called fake; "real" first, then the forgeries in name order."""
    correct = (frames["prob_fake"] >= THRESHOLD) == (frames["label"] == 1)
    accuracy = correct.groupby(frames["kind"]).mean()
    return {str(k): float(accuracy[k]) for k in sorted(accuracy.index, key=_kind_order)}


def cell_metrics(predictions: pd.DataFrame) -> pd.DataFrame:
    """One row per cell, seed and condition (CELL): faces, videos, real_videos, fake_videos,
    frame_<metric> and video_<metric> for every binary metric, and kind_accuracy_<kind>
    (frame level) for every kind present."""
    with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
        return _cell_metrics(predictions)  # checking every call's arguments doubled its time


def _cell_metrics(predictions: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for key, frames in predictions.groupby(CELL, sort=False):
        videos = video_level(frames)
        rows.append({**dict(zip(CELL, key, strict=True)), "faces": len(frames),
                     "videos": len(videos), "real_videos": int((videos["label"] == 0).sum()),
                     "fake_videos": int((videos["label"] == 1).sum()),
                     **_prefixed("frame_", binary_metrics(frames["label"], frames["prob_fake"])),
                     **_prefixed("video_", binary_metrics(videos["label"], videos["prob_fake"])),
                     **_prefixed(KIND_ACCURACY, per_kind_accuracy(frames))})
    table = pd.DataFrame(rows)
    kinds = sorted((c for c in table if c.startswith(KIND_ACCURACY)),
                   key=lambda c: _kind_order(c.removeprefix(KIND_ACCURACY)))
    return table[[c for c in table if not c.startswith(KIND_ACCURACY)] + kinds]


def _kind_order(kind: str) -> tuple[bool, str]:
    return kind != "real", kind


def _prefixed(prefix: str, values: dict[str, float]) -> dict[str, float]:
    return {prefix + name: value for name, value in values.items()}
