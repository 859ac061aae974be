"""Does the input pipeline keep the device fed? Three rates, measured in the same run:

loader: faces/s that FaceBatches + the DataLoader deliver as normalised inputs on the device
        (reading crops and depth maps from HDF5 in contiguous runs, uint8 to the device);
bare:   the bare backbone's train step on a batch already on the device (the ceiling);
loop:   the project's whole training loop (`depthfake.training.fit`, one epoch, the detector
        reading its inputs through the loader), training images/s.

The faces are synthetic shards written once to a temporary folder at the asked input size.
Usage: python benchmarks/loader_throughput.py [--backbone efficientnet_b0] [--input-size 224]
       [--batch-size 128] [--faces 4096] [--workers 0 8] [--detector rgb] [--device auto]
Appends one line to docs/records/loader.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import timm
import torch
from train_throughput import steps_per_second

from depthfake.datasets.loader import FaceBatches, load_face_index
from depthfake.evaluation.predict import batch_loader
from depthfake.jobs.devices import synchronise
from depthfake.models import DetectorConfig, create_detector
from depthfake.settings import TrainSettings
from depthfake.synthetic.faces import write_synthetic_shards
from depthfake.training.inputs import DeviceInputs
from depthfake.training.loop import fit
from depthfake.training.sampling import StepPlan, epoch_batches

from records import benchmark_device, benchmark_parser, write_record


def loader_rate(dataset: FaceBatches, inputs: DeviceInputs, batch: int, workers: int) -> float:
    """Faces per second through the loader to normalised device tensors, one epoch."""
    batches = epoch_batches(dataset.labels, StepPlan.of(batch, None, 1), 0, seed=0, epoch=0,
                            flip_probability=0.5)
    start = time.perf_counter()
    for faces, flips in zip(batch_loader(dataset, batches.positions, workers, inputs.device),
                            batches.flips, strict=True):
        inputs(faces, torch.from_numpy(flips))
    synchronise(inputs.device)
    return len(batches.positions) * batch / (time.perf_counter() - start)


def loop_rate(config: DetectorConfig, train: FaceBatches, val: FaceBatches, batch: int,
              workers: int, device: str) -> float:
    """Training images/s of one epoch of the project's loop (validation excluded)."""
    settings = TrainSettings(pretrained=False, device=device, epochs=1, batch_size=batch,
                             effective_batch=None, optimizer="sgd", lr=1e-3)
    _, record = fit(create_detector(config), config, train, val, settings, seed=0,
                    workers=workers)
    return record["history"][0]["images_per_s"]


def synthetic_batches(folder: Path, config: DetectorConfig, faces: int, batch: int
                      ) -> tuple[FaceBatches, FaceBatches]:
    """Training and validation faces: synthetic shards written to `folder`, read as the
    training stage reads them."""
    size = config.input_size
    files = write_synthetic_shards(folder, size, {"train": faces, "val": 2 * batch}, shards=4)
    index = load_face_index(files["index"], files["faces"], files["depth"])
    train, val = (FaceBatches(index[index["split"] == s], size, config.reads_depth)
                  for s in ("train", "val"))
    return train, val


def bare_rate(config: DetectorConfig, inputs: DeviceInputs, batch: int, steps: int) -> float:
    """Images/s of the bare backbone's train step on a ready device batch."""
    size = config.input_size
    bare_model = timm.create_model(config.backbone, num_classes=2).to(
        inputs.device, memory_format=inputs.memory_format).train()
    rgb = torch.randn(batch, 3, size, size, device=inputs.device).contiguous(
        memory_format=inputs.memory_format)
    return batch * steps_per_second(bare_model, (rgb,), steps)


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--backbone", default="efficientnet_b0")
    parser.add_argument("--input-size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--faces", type=int, default=4096, help="training faces written")
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 8],
                        help="loader process counts to measure")
    parser.add_argument("--detector", default="rgb")
    parser.add_argument("--bare-steps", type=int, default=20)
    args = parser.parse_args()
    device = benchmark_device(args)
    size, batch = args.input_size, args.batch_size
    config = DetectorConfig(detector=args.detector, backbone=args.backbone, input_size=size)
    inputs = DeviceInputs(config, device)
    bare = bare_rate(config, inputs, batch, args.bare_steps)
    print(f"bare {args.backbone} train step, {size} px, batch {batch}: {bare:,.1f} img/s",
          flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        train, val = synthetic_batches(Path(folder), config, args.faces, batch)
        for workers in args.workers:
            loader = loader_rate(train, inputs, batch, workers)
            loop = loop_rate(config, train, val, batch, workers, device.type)
            rows.append({"workers": workers, "loader_faces_per_s": round(loader, 1),
                         "loop_img_per_s": round(loop, 1), "bare_img_per_s": round(bare, 1),
                         "loader_ratio": round(loader / bare, 3),
                         "loop_ratio": round(loop / bare, 3)})
            print(f"{workers} workers: loader {loader:,.1f} faces/s ({loader / bare:.2f}x of "
                  f"bare), {args.detector} training loop {loop:,.1f} img/s "
                  f"({loop / bare:.2f}x)", flush=True)
    write_record(args, "loader", device, {
        "backbone": args.backbone, "input_size": size, "batch_size": batch,
        "detector": args.detector, "faces": args.faces, "rows": rows})


if __name__ == "__main__":
    main()
