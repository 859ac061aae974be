"""Each detector's train step beside its own ceiling, measured in the same run.

ceiling: for a single-stream detector (rgb, depth, early) one bare timm backbone with a 2-way
head on that detector's input channels (3, 1 or 4); for a two-stream one (late, mid, mdn) two
bare backbones, RGB (3 channels) and depth (1), back to back in one step; detector: the
project's detector (its depth map too) at the same batch and input size. One step = forward,
cross-entropy, backward, SGD update, on a batch already on the device: bf16 autocast and
channels_last on CUDA, fp32 on the CPU. Random weights; the ceiling is what the data
pipeline must feed.

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
from depthfake.models.single_stream import SingleStreamDetector

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


class BackToBack(nn.Module):
    """A two-stream detector's ceiling: bare RGB and depth backbones, one after the other."""

    def __init__(self, backbone: str):
        super().__init__()
        self.rgb = timm.create_model(backbone, num_classes=2)
        self.depth = timm.create_model(backbone, in_chans=1, num_classes=2)

    def forward(self, rgb: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
        return self.rgb(rgb) + self.depth(depth)


def ceiling_of(detector: nn.Module, backbone: str, rgb: torch.Tensor, depth: torch.Tensor
               ) -> tuple[str, nn.Module, tuple[torch.Tensor, ...]]:
    """(name, model, inputs) of `detector`'s ceiling: its bare backbone(s) on ready inputs."""
    if isinstance(detector, SingleStreamDetector):
        inputs = detector.inputs(rgb, depth).contiguous(memory_format=memory_of(rgb.device))
        channels = inputs.shape[1]
        return (f"one bare backbone, {channels} channels",
                timm.create_model(backbone, in_chans=channels, num_classes=2), (inputs,))
    return "two bare backbones back to back, 3 + 1 channels", BackToBack(backbone), (rgb, depth)


def memory_of(device: torch.device) -> torch.memory_format:
    """channels_last on CUDA (bf16 convolutions are fastest so), else the default."""
    return torch.channels_last if device.type == "cuda" else torch.contiguous_format


def detector_row(detector: str, backbone: str, size: int, batch: int, steps: int,
                 device: torch.device, ceilings: dict[str, float]) -> dict:
    """One detector's train step beside its ceiling; `ceilings` (img/s by ceiling name) holds
    those measured so far, and gets this one's if it is new."""
    memory = memory_of(device)
    rgb = torch.randn(batch, 3, size, size, device=device).to(memory_format=memory)
    depth = torch.randn(batch, 1, size, size, device=device).to(memory_format=memory)
    model = create_detector(DetectorConfig(detector=detector, backbone=backbone, input_size=size))
    name, bare_model, bare_inputs = ceiling_of(model, backbone, rgb, depth)
    if name not in ceilings:
        ceilings[name] = batch * steps_per_second(
            bare_model.to(device, memory_format=memory).train(), bare_inputs, steps)
    bare = ceilings[name]
    rate = batch * steps_per_second(model.to(device, memory_format=memory).train(),
                                    (rgb, depth), steps)
    print(f"{backbone} {size} px {detector}: {rate:,.1f} img/s, {name} {bare:,.1f} "
          f"({rate / bare:.2f}x)", flush=True)
    return {"backbone": backbone, "input_size": size, "detector": detector, "ceiling": name,
            "bare_img_per_s": round(bare, 1), "detector_img_per_s": round(rate, 1),
            "ratio": round(rate / bare, 3)}


def measure(backbone: str, size: int, batch: int, steps: int, device: torch.device
            ) -> list[dict]:
    """Rows of one backbone: every detector beside its ceiling (each ceiling measured once)."""
    ceilings: dict[str, float] = {}
    return [detector_row(detector, backbone, size, batch, steps, device, ceilings)
            for detector in list_detectors()]


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
