"""Each detector's train step beside its bare backbone's, measured in the same run.

bare: the timm backbone with a 2-way head on 3-channel input; detector: the project's detector
(its depth map too) at the same batch and input size. One step = forward, cross-entropy,
backward, SGD update, on a batch already on the device: bf16 autocast and channels_last on
CUDA, fp32 on the CPU. Random weights; the ceiling is what the data pipeline must feed.

Usage: python benchmarks/train_throughput.py [--backbones legacy_xception:299 resnet50:224]
       [--batch-size 128] [--steps 20] [--device auto]
Appends one line to docs/records/train.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import timm
import torch
from torch import nn

from depthfake.evaluation.predict import autocast
from depthfake.models import DetectorConfig, create_detector, list_detectors

from records import benchmark_device, benchmark_parser, calls_per_second, write_record

PAPER_INPUTS = ["legacy_xception:299", "efficientnet_b0:224", "mobilenetv2_100:224",
                "resnet50:224"]


def steps_per_second(model: nn.Module, inputs: tuple[torch.Tensor, ...], steps: int) -> float:
    """Train steps per second of `model` on fixed `inputs` (after two warm-up steps)."""
    device = inputs[0].device
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    labels = torch.randint(0, 2, (len(inputs[0]),), device=device)

    def step() -> None:
        with autocast(device, "bf16"):
            loss = nn.functional.cross_entropy(model(*inputs), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return calls_per_second(step, device, steps, warmup=2)


def measure(backbone: str, size: int, batch: int, steps: int, device: torch.device) -> list[dict]:
    """Rows of one backbone: the bare model, then every detector."""
    memory = torch.channels_last if device.type == "cuda" else torch.contiguous_format
    rgb = torch.randn(batch, 3, size, size, device=device).to(memory_format=memory)
    depth = torch.randn(batch, 1, size, size, device=device).to(memory_format=memory)
    bare_model = timm.create_model(backbone, num_classes=2).to(device, memory_format=memory)
    bare = batch * steps_per_second(bare_model.train(), (rgb,), steps)
    rows = []
    for detector in list_detectors():
        model = create_detector(DetectorConfig(detector=detector, backbone=backbone,
                                               input_size=size))
        rate = batch * steps_per_second(model.to(device, memory_format=memory).train(),
                                        (rgb, depth), steps)
        rows.append({"backbone": backbone, "input_size": size, "detector": detector,
                     "bare_img_per_s": round(bare, 1), "detector_img_per_s": round(rate, 1),
                     "ratio": round(rate / bare, 3)})
        print(f"{backbone} {size} px {detector}: {rate:,.1f} img/s, bare {bare:,.1f} "
              f"({rate / bare:.2f}x)", flush=True)
    return rows


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--backbones", nargs="+", default=PAPER_INPUTS,
                        help="backbone:input_size pairs (default: the paper's sizes)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per model")
    args = parser.parse_args()
    device = benchmark_device(args)
    rows = [row for pair in args.backbones for row in measure(
        pair.split(":")[0], int(pair.split(":")[1]), args.batch_size, args.steps, device)]
    write_record(args, "train", device, {"batch_size": args.batch_size, "steps": args.steps,
                                         "rows": rows})


if __name__ == "__main__":
    main()
