"""Exporting one trained detector of a run as a bundle: its weights and their digest, the
exact preprocessing (with the digests of the face and depth models), the decision threshold
chosen on the validation videos, its test metrics at 0.5 and at that threshold, a robustness
summary from the tables, the training record and a model card; the step `export_bundle`
runs it."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd

from depthfake.bundles.card import model_card
from depthfake.bundles.load import CARD_FILE, FORMAT, META_FILE, WEIGHTS_FILE
from depthfake.bundles.threshold import (
    RULE,
    choose_threshold,
    finite,
    metrics_at_thresholds,
    video_scores,
)
from depthfake.datasets.preprocess import FaceCropper
from depthfake.depth.convention import DEPTH_DATASET
from depthfake.evaluation.conditions import CLEAN
from depthfake.models import read_checkpoint_meta
from depthfake.plan.provenance import provenance
from depthfake.settings import (
    ESTIMATED,
    NO_DEPTH,
    ZERO_DEPTH,
    BootstrapSettings,
    FaceSettings,
)
from depthfake.storage.atomic import atomic_folder
from depthfake.storage.files import file_sha256, read_csv, read_parquet, write_json, write_text
from depthfake.storage.h5 import open_h5

log = logging.getLogger(__name__)
# How a video becomes a verdict, as evaluation scores it.
AGGREGATION = ("the largest face of each sampled frame is scored; frames without a face are "
               "left out; the video score is the mean fake probability of the others, called "
               "fake at the threshold or above")
# The robustness summary: these metrics of the tables, with their intervals.
ROBUSTNESS_METRICS = ("frame_accuracy", "video_auc")
# The data layout of the demo's built data set.
DEMO = "demo"
# Depth attributes stored beside the maps that do not name the model.
NOT_IDENTITY = {"code"}


def face_preprocessing(faces: dict) -> dict:
    """The face settings with their backend's options only, and that backend's model files
    (name and SHA-256)."""
    settings = FaceSettings.model_validate(faces)
    files = FaceCropper(settings).detector.model_files
    kept = {key: value for key, value in settings.model_dump().items()
            if key in ("backend", "crop_size", "scale", "min_face_share", settings.backend)}
    return {**kept, "models": {key: {"file": path.name, "sha256": file_sha256(path)}
                               for key, path in files.items()}}


def depth_preprocessing(depth: dict, depth_file: Path) -> dict:
    """The depth backend and options, with the identity of the model the training maps were
    made with (model id and revision or weight digest, maps version), from their HDF5."""
    with open_h5(depth_file) as handle:
        attributes = dict(handle[DEPTH_DATASET].attrs)
    identity = {key: value.item() if hasattr(value, "item") else value
                for key, value in attributes.items() if key not in NOT_IDENTITY}
    return {**depth, "identity": identity}


def robustness_summary(tables: list[Path], cell: dict) -> list[dict]:
    """The rows of the robustness tables of this detector's cell (over its seeds), less the
    zero-depth control: per depth mode and condition, ROBUSTNESS_METRICS with their
    intervals."""
    rows = []
    key = {**{k: cell[k] for k in ("dataset", "compression", "forgery", "model", "backbone",
                                  "depth")}, "test_dataset": cell["dataset"]}
    for path in tables:
        table = read_csv(path)
        mine = table[(table[list(key)] == pd.Series(key)).all(axis=1)
                     & (table["depth_input"] != ZERO_DEPTH)]
        mode = path.stem.removeprefix("robustness_")
        rows += [{"mode": mode, "condition": row["condition"], "depth_input": row["depth_input"],
                  "seeds": int(row["seeds"]),
                  **{metric: {part: finite(row[f"{metric}{suffix}"])
                              for part, suffix in (("value", ""), ("low", "_low"),
                                                   ("high", "_high"))}
                     for metric in ROBUSTNESS_METRICS}}
                 for _, row in mine.iterrows()]
    return rows


def clean_predictions(predictions: Path, dataset: str) -> pd.DataFrame:
    """The clean test predictions on the cell's own data set, as detect scores faces (a
    depth-reading model on its stored maps)."""
    table = read_parquet(predictions)
    clean = table[(table["condition"] == CLEAN) & table["depth_input"].isin([ESTIMATED, NO_DEPTH])
                  & (table["test_dataset"] == dataset)]
    if clean.empty:
        raise ValueError(f"{predictions} holds no clean predictions of {dataset!r}")
    return clean


def export_bundle(*, weights: Path, meta: Path, validation: Path, predictions: Path,
                  robustness: list[Path], depth_file: Path | None, bootstrap: BootstrapSettings,
                  data_layout: str, out: Path) -> dict:
    """Write the bundle folder `out` of a detector trained on data of `data_layout` (its
    data set's layout, or "demo"); returns its record (bundle.json)."""
    record = read_checkpoint_meta(meta)
    cell = record["cell"]
    val_videos = video_scores(read_parquet(validation))
    threshold = choose_threshold(val_videos)
    test = metrics_at_thresholds(clean_predictions(predictions, cell["dataset"]),
                        {"at_0.5": 0.5, "at_threshold": threshold},
                        resamples=bootstrap.resamples, level=bootstrap.level, seed=bootstrap.seed)
    preprocessing = record["preprocessing"]
    config = record["config"]
    bundle = {
        "format": FORMAT,
        "name": "/".join(str(cell[k]) for k in ("dataset", "compression", "forgery", "model",
                                                "backbone", "depth")) + f"/seed{cell['seed']}",
        "demo": data_layout == DEMO,
        "data_layout": data_layout,
        "weights": {"file": WEIGHTS_FILE, "sha256": file_sha256(weights)},
        "detector": config,
        "preprocessing": {
            "frames": preprocessing["frames"],
            "faces": face_preprocessing(preprocessing["faces"]),
            "depth": depth_preprocessing(preprocessing["depth"], depth_file)
            if depth_file is not None else None,
            "normalisation": {k: config[k] for k in ("rgb_mean", "rgb_std", "depth_mean",
                                                     "depth_std")},
            "aggregation": AGGREGATION,
        },
        "threshold": {"value": threshold, "rule": RULE,
                      "validation": {"videos": len(val_videos),
                                     "real_videos": int((val_videos["label"] == 0).sum()),
                                     "fake_videos": int((val_videos["label"] == 1).sum())}},
        "test": test,
        "robustness": robustness_summary(robustness, cell),
        "training": {key: record[key] for key in ("cell", "settings", "backbone_options",
                                                  "selection", "selected_epoch", "precision",
                                                  "faces", "step") if key in record},
        "provenance": {"trained": record["provenance"], "exported": provenance()},
    }
    with atomic_folder(out) as folder:
        shutil.copyfile(weights, folder / WEIGHTS_FILE)
        write_json(folder / META_FILE, bundle)
        write_text(folder / CARD_FILE, model_card(bundle, data_layout))
    log.info("bundle %s: threshold %.4f, test video AUC %s", bundle["name"], threshold,
             test["video_auc"]["value"])
    return bundle
