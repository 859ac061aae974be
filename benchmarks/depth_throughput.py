"""Depth stage throughput beside its ceiling, the bare model, measured in the same run.

1. bare: the network's forward on a batch already on the device at the input size (bf16
   autocast on CUDA, fp32 on the CPU): no reading, resizing, normalising or writing;
2. stage: what `estimate_depth` does per shard: uint8 crops read from an HDF5 file, resized and
   normalised on the device, the same forward, maps resized back and mapped to relative depth,
   written compressed to HDF5, reading and writing overlapped with the network.

Both at the same batch size and input size, over the same number of crops, after a warm-up.
Without --model a Depth Anything V2 Small with random weights is saved to a temporary folder
and loaded through the same code as a downloaded one.

Usage: python benchmarks/depth_throughput.py [--device cpu] [--crops 64 --batch-size 16]
Appends one line to docs/records/depth.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import torch

from depthfake.depth import create_depth_estimator
from depthfake.depth.neural import NeuralDepth
from depthfake.depth.store import create_depth_dataset, estimate_into
from depthfake.jobs.devices import device_name, synchronise
from depthfake.synthetic.depth_model import save_random_depth_anything

from records import benchmark_device, benchmark_parser, write_record


@torch.inference_mode()
def bare_forward(estimator: NeuralDepth, crops: int) -> float:
    """Crops per second of the network alone on ready device batches."""
    device, side = estimator.device, estimator.input_size
    batch = torch.rand(estimator.batch_size, 3, side, side, device=device)

    def forward() -> None:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=estimator.autocast):
            estimator.network(pixel_values=batch).predicted_depth.float()

    forward()
    synchronise(device)
    steps = max(1, crops // estimator.batch_size)
    start = time.perf_counter()
    for _ in range(steps):
        forward()
    synchronise(device)
    return steps * estimator.batch_size / (time.perf_counter() - start)


def stage(estimator: NeuralDepth, crops: int, side: int, threads: int, folder: Path) -> float:
    """Crops per second of the depth stage from a crops HDF5 file to a depth HDF5 file."""
    images = np.random.default_rng(0).integers(0, 256, (crops, side, side, 3), dtype=np.uint8)
    with h5py.File(folder / "faces.h5", "w") as faces:
        faces["crops"], faces["landmarks"] = images, np.zeros((crops, 68, 2), np.float32)
    estimator.estimate(images[:estimator.batch_size], None)  # warm-up
    synchronise(estimator.device)
    start = time.perf_counter()
    with h5py.File(folder / "faces.h5") as faces, h5py.File(folder / "depth.h5", "w") as out:
        depth = create_depth_dataset(out, crops, side, {}, estimator.marks_background)
        estimate_into(estimator, faces["crops"], faces["landmarks"], depth, threads=threads,
                      source="benchmark")
    return crops / (time.perf_counter() - start)


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--model", help="hub id or folder (default: random-weight V2 Small)")
    parser.add_argument("--crop-size", type=int, default=224)
    parser.add_argument("--input-size", type=int, default=252)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--crops", type=int, default=2048, help="crops timed, per measurement")
    args = parser.parse_args()
    benchmark_device(args)
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or str(save_random_depth_anything(Path(tmp) / "model", "small"))
        estimator = create_depth_estimator("depth_anything", model=model,
                                           input_size=args.input_size,
                                           batch_size=args.batch_size, device=args.device)
        bare = bare_forward(estimator, args.crops)
        piped = stage(estimator, args.crops, args.crop_size, args.threads, Path(tmp))
    device = estimator.device
    record = {
        "model": "Depth Anything V2 Small, random weights" if not args.model else args.model,
        "precision": estimator.identity["precision"], "crop_size": args.crop_size,
        "input_size": args.input_size, "batch_size": args.batch_size, "crops": args.crops,
        "bare_crops_per_s": round(bare, 1), "stage_crops_per_s": round(piped, 1),
        "ratio": round(piped / bare, 3)}
    write_record(args, "depth", device, record)
    print(f"{device_name(device)} {record['precision']}, {args.crop_size} px crops -> "
          f"{args.input_size} px, batch {args.batch_size}, {args.crops} crops: bare forward "
          f"{bare:,.1f} crops/s, depth stage {piped:,.1f} crops/s ({piped / bare:.2f}x)")


if __name__ == "__main__":
    main()
