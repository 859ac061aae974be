"""Evaluation throughput per depth input beside its ceiling, the bare model, measured in the
same run.

1. bare: the detector's forward on a batch already on the device (no reading, no attack);
2. each depth input of the evaluation stage, under one attack: faces read from HDF5, attacked
   in pixel space and rounded to uint8, the depth input made (none: an RGB model; zero;
   perturb: the stored map attacked; recompute: landmarks re-fitted by dlib on the attacked
   crop and the landmark-mesh depth re-estimated), normalised on the device and predicted.

The faces are the astronaut's (scikit-image) cut as the pipeline cuts them, each shifted by
a few pixels, so the re-fit finds real faces. Models have random weights: throughput does
not depend on them.

Usage: python benchmarks/evaluate_throughput.py [--faces 512 --crop-size 64 --attack NSE]
Appends one line to docs/records/evaluate.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import torch

from depthfake.datasets.loader import FaceBatches
from depthfake.depth import create_depth_estimator
from depthfake.depth.store import create_depth_dataset
from depthfake.evaluation.attacks import AttackSettings
from depthfake.evaluation.depth_under_attack import DepthRecompute
from depthfake.evaluation.predict import predict
from depthfake.faces import create_face_detector, crop_face, largest_face
from depthfake.jobs.devices import device_name, synchronise
from depthfake.models import DetectorConfig, create_detector
from depthfake.settings import FaceSettings
from depthfake.storage.h5 import write_h5
from depthfake.training.inputs import DeviceInputs

from records import benchmark_device, benchmark_parser, write_record

BACKBONE = "test_efficientnet"
INPUTS = {"none": "rgb", "zero": "mdn", "perturb": "mdn", "recompute": "mdn"}


def face_shard(folder: Path, faces: int, side: int) -> pd.DataFrame:
    """`faces` crops of the astronaut's face, each shifted by up to 4 px, with their depth."""
    path = Path(find_spec("skimage").submodule_search_locations[0]) / "data" / "astronaut.png"
    image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    face = largest_face(create_face_detector("dlib", upsample=0, landmark_model=None)
                        .detect(image))
    rng = np.random.default_rng(0)
    crops, landmarks = [], []
    for _ in range(faces):
        shifted = np.roll(image, rng.integers(-4, 5, size=2), axis=(0, 1))
        crop = crop_face(shifted, face, side, 1.3)
        crops.append(crop.image)
        landmarks.append(crop.landmarks)
    depth = create_depth_estimator("landmark_mesh", focal_scale=1.0).estimate(
        np.stack(crops), np.stack(landmarks))
    with write_h5(folder / "faces.h5", {}) as h5:
        h5.create_dataset("crops", data=np.stack(crops))
    with write_h5(folder / "depth.h5", {}) as h5:
        create_depth_dataset(h5, faces, side, {"backend": "landmark_mesh"},
                             nan_background=True)[:] = depth
    return pd.DataFrame(dict(video=[f"{i:04d}" for i in range(faces)], kind="real", label=0,
                             frame=0, row=np.arange(faces), face_file=str(folder / "faces.h5"),
                             depth_file=str(folder / "depth.h5")))


@torch.inference_mode()
def bare_forward(model: torch.nn.Module, config: DetectorConfig, device: torch.device,
                 faces: int, batch: int) -> float:
    """Faces per second of the detector alone on ready device batches."""
    rgb = torch.rand(batch, 3, config.input_size, config.input_size, device=device)
    depth = torch.rand(batch, 1, config.input_size, config.input_size, device=device)
    model(rgb, depth)
    synchronise(device)
    steps = max(1, faces // batch)
    start = time.perf_counter()
    for _ in range(steps):
        model(rgb, depth)
    synchronise(device)
    return steps * batch / (time.perf_counter() - start)


def stage(index: pd.DataFrame, model: torch.nn.Module, config: DetectorConfig,
          inputs: DeviceInputs, depth_input: str, attack: str, batch: int,
          recompute: DepthRecompute | None = None) -> tuple[float, int]:
    """(faces per second, faces whose landmarks were lost) of one evaluation pass; depth input
    "recompute" re-estimates with `recompute` (default: dlib's landmarks, landmark mesh)."""
    if depth_input != "recompute":
        recompute = None
    elif recompute is None:
        recompute = DepthRecompute("landmark_mesh", {"focal_scale": 1.0},
                                   FaceSettings(dlib={"upsample": 0}))
    dataset = FaceBatches(index, config.input_size, config.reads_depth, condition=attack,
                          attack_params=AttackSettings(), attack_seed=1234,
                          depth_input=depth_input, recompute=recompute)
    predict(model, FaceBatches(index.head(batch), config.input_size, config.reads_depth,
                               condition=attack, attack_params=AttackSettings(),
                               attack_seed=1234, depth_input=depth_input,
                               recompute=recompute),
            inputs, batch_size=batch)  # warm-up: models built, files opened
    synchronise(inputs.device)
    start = time.perf_counter()
    result = predict(model, dataset, inputs, batch_size=batch)
    synchronise(inputs.device)
    return len(index) / (time.perf_counter() - start), int(result.depth_lost.sum())


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--faces", type=int, default=512, help="faces timed per pass")
    parser.add_argument("--crop-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--attack", default="NSE", help="the condition of every pass")
    args = parser.parse_args()
    device = benchmark_device(args)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        index = face_shard(Path(tmp), args.faces, args.crop_size)
        for depth_input, detector in INPUTS.items():
            config = DetectorConfig(detector=detector, backbone=BACKBONE,
                                    input_size=args.crop_size)
            model = create_detector(config).to(device).eval()
            inputs = DeviceInputs(config, device)
            bare = bare_forward(model, config, device, args.faces, args.batch_size)
            rate, lost = stage(index, model, config, inputs, depth_input, args.attack,
                               args.batch_size)
            rows.append({"model": detector, "depth_input": depth_input,
                         "bare_faces_per_s": round(bare, 1), "stage_faces_per_s": round(rate, 1),
                         "ratio": round(rate / bare, 4), "depth_lost": lost})
            print(f"{detector} {depth_input}: bare {bare:,.1f} faces/s, evaluation under "
                  f"{args.attack} {rate:,.1f} faces/s ({rate / bare:.3f}x), {lost} of "
                  f"{args.faces} landmarks lost")
    write_record(args, "evaluate", device, {
        "backbone": BACKBONE, "crop_size": args.crop_size, "batch_size": args.batch_size,
        "faces": args.faces, "attack": args.attack, "rows": rows})
    print(f"{device_name(device)}, {args.crop_size} px crops")


if __name__ == "__main__":
    main()
