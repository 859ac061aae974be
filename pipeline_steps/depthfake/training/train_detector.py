"""Training one detector (one cell of the grid) on face crops and depth maps, and saving
the epoch chosen on the validation set; the step `train` runs it."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import torch

from depthfake.datasets.loader import FaceBatches, load_face_index
from depthfake.models import DetectorConfig, create_detector, save_detector
from depthfake.settings import BackboneOptions, TrainSettings
from depthfake.storage.h5 import shared_settings
from depthfake.training.distributed import launch_rank
from depthfake.training.loop import fit

log = logging.getLogger(__name__)


def split_rows(index: pd.DataFrame, split: str) -> pd.DataFrame:
    """The faces of one split; both classes must be there."""
    rows = index[index["split"] == split]
    if rows.empty or rows["label"].nunique() < 2:
        raise ValueError(f"the {split} split needs faces of both classes; it has "
                         f"{rows['label'].value_counts().to_dict()}")
    return rows


def train_detector(index: pd.DataFrame, preprocessing: dict, *, detector: str, backbone: str,
                   options: BackboneOptions, settings: TrainSettings, seed: int, cell: dict,
                   out_weights: Path, out_meta: Path, state_file: Path | None = None,
                   workers: int = 0) -> dict:
    """Train and save one detector; returns the training record saved with it."""
    config = DetectorConfig(detector=detector, backbone=backbone,
                            input_size=preprocessing["faces"]["crop_size"],
                            split_block=options.split_block)
    torch.manual_seed(seed)  # initialisation (and dropout) draws
    model = create_detector(config, pretrained=settings.pretrained,
                            pretrained_file=options.pretrained_file)
    datasets = {split: FaceBatches(split_rows(index, split), config.input_size,
                                   config.reads_depth) for split in ("train", "val")}
    log.info("%s: %d train and %d val faces", cell, len(datasets["train"]), len(datasets["val"]))
    model, record = fit(model, config, datasets["train"], datasets["val"], settings, seed=seed,
                        state_file=state_file, workers=workers,
                        identity=[cell, preprocessing, options.model_dump()])
    record.update(cell=cell, preprocessing=preprocessing, settings=settings.model_dump(),
                  backbone_options=options.model_dump(), seed=seed,
                  faces={s: len(d) for s, d in datasets.items()})
    if launch_rank() == 0:
        save_detector(model, config, out_weights, out_meta, record)
        if state_file is not None:
            state_file.unlink(missing_ok=True)
    return record


def train_detector_on_shards(*, index_files: list[Path], faces_files: list[Path],
                             depth_files: list[Path] | None, detector: str, backbone: str,
                             seed: int, options: BackboneOptions, settings: TrainSettings,
                             dataset: str, forgery: str, compression: str, depth_backend: str,
                             out_weights: Path, out_meta: Path, state_file: Path | None = None,
                             workers: int = 0) -> dict:
    """`train_detector` on the faces of the shards (aligned frame indices, crops and depth
    files), with the preprocessing their files were made with; the cell is labelled by its
    data set, forgery, compression and depth backend."""
    cell = dict(dataset=dataset, compression=compression, forgery=forgery, model=detector,
                backbone=backbone, depth=depth_backend, seed=seed)
    return train_detector(load_face_index(index_files, faces_files, depth_files),
                          shared_settings(depth_files or faces_files), detector=detector,
                          backbone=backbone, options=options, settings=settings, seed=seed,
                          cell=cell, out_weights=out_weights, out_meta=out_meta,
                          state_file=state_file, workers=workers)
