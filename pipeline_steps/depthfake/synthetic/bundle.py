"""A bundle of a random-weight detector, exported through the real export path from made-up
validation and test predictions: for tests and benchmarks of scoring, where the weights do
not matter but the format, the preprocessing and the cost do."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from depthfake.bundles.export import export_bundle
from depthfake.depth import create_depth_estimator
from depthfake.depth.convention import CONVENTION
from depthfake.depth.store import create_depth_dataset
from depthfake.evaluation.conditions import CLEAN
from depthfake.models import DetectorConfig, create_detector, save_detector
from depthfake.plan.catalogue import reads_depth
from depthfake.settings import (
    ESTIMATED,
    NO_DEPTH,
    BootstrapSettings,
    DepthBackendOptions,
    FaceSettings,
    FrameSettings,
)
from depthfake.storage.files import write_parquet
from depthfake.storage.h5 import write_h5

BACKBONE = "test_efficientnet"


def random_detector(config: DetectorConfig, seed: int) -> torch.nn.Module:
    """`config`'s detector with random weights, its zero-initialised layers (the head) drawn
    too: a head initialised to zero would say 0.5 of every face."""
    torch.manual_seed(seed)
    model = create_detector(config)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() > 1 and not parameter.any():
                parameter.normal_(std=0.5)
    return model


def made_up_predictions(videos: int, frames: int, seed: int) -> pd.DataFrame:
    """Faces of `videos` videos (half fake, two per cluster) whose fake probabilities
    separate the classes somewhat."""
    rng = np.random.default_rng(seed)
    labels = np.arange(videos) % 2
    rows = [{"video": f"{i:03d}", "kind": "FaceSwap" if label else "real",
             "cluster": f"c{i // 2}", "frame": frame, "label": int(label),
             "prob_fake": float(np.clip(0.5 + 0.25 * (2 * label - 1) + rng.normal(0, 0.2),
                                        0, 1))}
            for i, label in enumerate(labels) for frame in range(frames)]
    return pd.DataFrame(rows)


def depth_file(path: Path, backend: str, options: DepthBackendOptions, side: int) -> Path:
    """An HDF5 of one empty map, with the attributes the depth stage stores."""
    estimator = create_depth_estimator(backend, **options.options_of(backend))
    with write_h5(path, {}) as out:
        create_depth_dataset(out, 1, side, {"backend": backend, "convention": CONVENTION,
                                            "code": "synthetic", **estimator.identity},
                             estimator.marks_background)
    return path


def write_random_bundle(out: str | os.PathLike, *, detector: str = "mdn", crop_size: int = 64,
                        faces: FaceSettings | None = None, frames: FrameSettings | None = None,
                        depth_backend: str = "landmark_mesh",
                        depth: DepthBackendOptions | None = None, seed: int = 0) -> Path:
    """Export a bundle of a random `detector` (test_efficientnet at `crop_size`) to `out`,
    with the given preprocessing (default: the demo's); returns its folder."""
    with tempfile.TemporaryDirectory() as sources:
        return _write_random_bundle(Path(out), Path(sources), detector=detector,
                                    crop_size=crop_size, faces=faces, frames=frames,
                                    depth_backend=depth_backend, depth=depth, seed=seed)


def _write_random_bundle(out: Path, work: Path, *, detector: str, crop_size: int,
                         faces: FaceSettings | None, frames: FrameSettings | None,
                         depth_backend: str, depth: DepthBackendOptions | None, seed: int
                         ) -> Path:
    faces = faces or FaceSettings(backend="dlib", crop_size=crop_size,
                                  dlib={"upsample": 0})
    frames = frames or FrameSettings(per_video=10)
    depth = depth or DepthBackendOptions()
    config = DetectorConfig(detector=detector, backbone=BACKBONE, input_size=crop_size)
    model = random_detector(config, seed)
    with_depth = reads_depth(detector)
    cell = dict(dataset="demo", compression="raw", forgery="FaceSwap", model=detector,
                backbone=BACKBONE, depth=depth_backend if with_depth else NO_DEPTH, seed=seed)
    preprocessing = {"frames": frames.model_dump(), "faces": faces.model_dump()}
    if with_depth:
        preprocessing["depth"] = {"backend": depth_backend,
                                  "options": depth.options_of(depth_backend)}
    save_detector(model, config, work / "model.safetensors", work / "model.json",
                  {"cell": cell, "preprocessing": preprocessing, "selected_epoch": 0,
                   "selection": "lowest validation loss", "precision": "fp32"})
    write_parquet(work / "val.parquet", made_up_predictions(8, 4, seed))
    test = made_up_predictions(12, 4, seed + 1).assign(
        condition=CLEAN, depth_input=ESTIMATED if with_depth else NO_DEPTH, test_dataset="demo")
    write_parquet(work / "test.parquet", test)
    export_bundle(weights=work / "model.safetensors", meta=work / "model.json",
                  validation=work / "val.parquet", predictions=work / "test.parquet",
                  robustness=[], bootstrap=BootstrapSettings(resamples=100),
                  depth_file=depth_file(work / "depth.h5", depth_backend, depth, crop_size)
                  if with_depth else None, data_layout="demo", out=out)
    return out
