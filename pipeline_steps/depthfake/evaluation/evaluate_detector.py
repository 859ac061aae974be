"""Predicting the test faces of one trained detector, clean and under every attack, with
each depth input (the step `evaluate`), and its validation faces clean (the step
`predict_validation`)."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from depthfake.datasets.loader import FaceBatches, load_face_index
from depthfake.evaluation.conditions import CLEAN, conditions
from depthfake.evaluation.depth_under_attack import DepthRecompute
from depthfake.evaluation.predict import Predictions, predict
from depthfake.jobs.devices import resolve_device
from depthfake.models import load_detector, read_checkpoint_meta
from depthfake.settings import (
    ESTIMATED,
    NO_DEPTH,
    PERTURB,
    RECOMPUTE,
    DepthInput,
    EvaluateSettings,
    FaceSettings,
)
from depthfake.storage.files import write_parquet
from depthfake.training.inputs import DeviceInputs

log = logging.getLogger(__name__)


def trained_depth(record: dict, device: str) -> DepthRecompute:
    """Depth as the model's training maps were made (backend, options and face settings from
    its checkpoint record), on the evaluation's device."""
    depth = record["preprocessing"]["depth"]
    options = dict(depth["options"])
    if "device" in options:
        options["device"] = device
    return DepthRecompute(depth["backend"], options,
                          FaceSettings.model_validate(record["preprocessing"]["faces"]))


class LoadedDetector:
    """A trained detector on its device, with its config and training record, predicting in
    the precision it was trained in."""

    def __init__(self, weights: Path, meta: Path, device: str):
        model, self.config = load_detector(weights, meta)
        self.inputs = DeviceInputs(self.config, resolve_device(device, "evaluate.device"))
        self.model = model.to(self.inputs.device, memory_format=self.inputs.memory_format)
        self.record = read_checkpoint_meta(meta)
        self.precision = self.record.get("precision", "fp32")

    def predict(self, dataset: FaceBatches, workers: int = 0) -> Predictions:
        return predict(self.model, dataset, self.inputs, self.precision, workers=workers)


def split_faces(index: pd.DataFrame, split: str) -> pd.DataFrame:
    """The faces of one split, with their clusters; an error without any."""
    if "cluster" not in index:
        raise ValueError("the face index has no cluster column: it comes from an older "
                         "extract_frames step; rerun it (snakemake --forcerun extract_frames)")
    faces = index[index["split"] == split].reset_index(drop=True)
    if faces.empty:
        raise ValueError(f"no {split} faces: every {split} video was skipped or has no face")
    return faces


def face_columns(faces: pd.DataFrame) -> pd.DataFrame:
    """Which face each prediction is of, with the faces' own compression."""
    return faces[["video", "kind", "cluster", "frame", "label", "compression"]].rename(
        columns={"compression": "test_compression"})


def evaluation_runs(depth_inputs: list[str], all_conditions: list[str]) -> list[tuple[str, str]]:
    """The (depth input, condition) pairs one evaluation predicts. A model that reads no depth:
    every condition. A depth-reading model: its clean faces on their stored maps once
    (`estimated`, which is also what `perturb` gives them clean), then each depth input under
    every attack, and clean too for `recompute` (depth re-estimated from the clean crop, its
    landmarks re-fitted there: the clean reference of the re-fit path) and `zero`."""
    if NO_DEPTH in depth_inputs:
        return [(NO_DEPTH, condition) for condition in all_conditions]
    attacked = [condition for condition in all_conditions if condition != CLEAN]
    return [(ESTIMATED, CLEAN), *((depth_input, condition) for depth_input in depth_inputs
                                  for condition in (attacked if depth_input == PERTURB
                                                    else all_conditions))]


def evaluate_detector(index: pd.DataFrame, weights: Path, meta: Path, *,
                      settings: EvaluateSettings, depth_inputs: list[DepthInput],
                      test_dataset: str, out: Path, workers: int = 0) -> pd.DataFrame:
    """Predict every test face under every condition with each depth input; returns (and
    writes) the predictions."""
    detector = LoadedDetector(weights, meta, settings.device)
    config, record = detector.config, detector.record
    if config.reads_depth == (NO_DEPTH in depth_inputs):
        raise ValueError(f"depth inputs {depth_inputs} for a model that "
                         f"{'reads' if config.reads_depth else 'reads no'} depth")
    test = split_faces(index, "test")
    recompute = trained_depth(record, settings.device) if RECOMPUTE in depth_inputs else None
    faces = face_columns(test)
    tables = []
    for depth_input, condition in evaluation_runs(depth_inputs, conditions(settings.sweeps)):
        dataset = FaceBatches(test, config.input_size, config.reads_depth,
                              condition=condition, attack_params=settings.attacks,
                              attack_seed=settings.seed, depth_input=depth_input,
                              recompute=recompute)
        result = detector.predict(dataset, workers)
        accuracy = ((result.probs >= 0.5) == result.labels).mean()
        log.info("%s %s, depth %s: accuracy %.3f on %d faces, %d depth fallbacks",
                 record["cell"], condition, depth_input, accuracy, len(test),
                 result.depth_lost.sum())
        tables.append(faces.assign(condition=condition, depth_input=depth_input,
                                   prob_fake=result.probs, depth_lost=result.depth_lost))
    predictions = pd.concat(tables, ignore_index=True).assign(**record["cell"],
                                                              test_dataset=test_dataset)
    write_parquet(out, predictions)
    return predictions


def predict_validation(index: pd.DataFrame, weights: Path, meta: Path, *, device: str,
                       out: Path, workers: int = 0) -> pd.DataFrame:
    """Predict the validation faces of the model's own cell, clean (a depth-reading model on
    its stored maps, `estimated`): what a bundle's decision threshold is chosen on. Returns
    (and writes) the predictions."""
    detector = LoadedDetector(weights, meta, device)
    val = split_faces(index, "val")
    depth_input = ESTIMATED if detector.config.reads_depth else NO_DEPTH
    result = detector.predict(FaceBatches(val, detector.config.input_size,
                                          detector.config.reads_depth,
                                          depth_input=ESTIMATED), workers)
    predictions = face_columns(val).assign(condition=CLEAN, depth_input=depth_input,
                                           prob_fake=result.probs, **detector.record["cell"])
    write_parquet(out, predictions)
    log.info("%s: %d validation faces predicted", detector.record["cell"], len(val))
    return predictions


def evaluate_detector_on_shards(*, index_files: list[Path], faces_files: list[Path],
                                depth_files: list[Path] | None, weights: Path, meta: Path,
                                settings: EvaluateSettings, depth_inputs: list[DepthInput],
                                test_dataset: str, out: Path, workers: int = 0
                                ) -> pd.DataFrame:
    """`evaluate_detector` on the faces of the shards (aligned frame indices, crops and depth
    files)."""
    return evaluate_detector(load_face_index(index_files, faces_files, depth_files), weights,
                             meta, settings=settings, depth_inputs=depth_inputs,
                             test_dataset=test_dataset, out=out, workers=workers)
