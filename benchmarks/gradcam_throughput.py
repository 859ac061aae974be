"""Grad-CAM throughput per detector beside its ceiling, the bare forward and backward pass,
measured in the same run.

A Grad-CAM map of one stream costs one forward and one backward pass of the detector (grad-cam
hooks the stream's layer, backpropagates the fake-class logit and weights the activations), so
the ceiling for a detector with S streams is the bare forward+backward rate divided by S.

1. bare: forward and backward of the fake-class logit on a batch already on the device;
2. gradcam: `depthfake.reporting.gradcam.grad_cams`, every stream's map of the batch (through the
   one-input wrapper, grad-cam's hooks, the maps resized to the input and scaled).

Models have random weights (with a non-zero head): throughput does not depend on them.

Usage: python benchmarks/gradcam_throughput.py [--faces 256 --crop-size 64 --batch-size 16]
Appends one line to docs/records/gradcam.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import torch

from depthfake.jobs.devices import device_name
from depthfake.models import DetectorConfig, create_detector
from depthfake.reporting.gradcam import FAKE_CLASS, grad_cams

from records import benchmark_device, benchmark_parser, calls_per_second, write_record

BACKBONE = "test_efficientnet"
DETECTORS = ("rgb", "mdn")


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--faces", type=int, default=256, help="faces timed per detector")
    parser.add_argument("--crop-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    device = benchmark_device(args)
    batches = max(1, args.faces // args.batch_size)
    rgb = torch.rand(args.batch_size, 3, args.crop_size, args.crop_size, device=device)
    depth = torch.rand(args.batch_size, 1, args.crop_size, args.crop_size, device=device)
    rows = []
    for name in DETECTORS:
        torch.manual_seed(0)
        model = create_detector(DetectorConfig(name, BACKBONE, args.crop_size)).to(device).eval()
        with torch.no_grad():
            model.classifier.weight.normal_()

        def forward_backward(model=model) -> None:
            model.zero_grad(set_to_none=True)
            model(rgb, depth)[:, FAKE_CLASS].sum().backward()

        streams = len(model.cam_layers())
        bare = args.batch_size * calls_per_second(forward_backward, device, batches)
        rate = args.batch_size * calls_per_second(
            lambda model=model: grad_cams(model, rgb, depth), device, batches)
        ceiling = bare / streams
        rows.append({"model": name, "streams": streams, "bare_faces_per_s": round(bare, 1),
                     "ceiling_faces_per_s": round(ceiling, 1),
                     "gradcam_faces_per_s": round(rate, 1), "ratio": round(rate / ceiling, 4)})
        print(f"{name}: bare forward+backward {bare:,.1f} faces/s, {streams} stream(s): "
              f"ceiling {ceiling:,.1f} faces/s; Grad-CAM {rate:,.1f} faces/s "
              f"({rate / ceiling:.3f}x)")
    write_record(args, "gradcam", device, {
        "backbone": BACKBONE, "crop_size": args.crop_size, "batch_size": args.batch_size,
        "faces": args.faces, "rows": rows})
    print(f"{device_name(device)}, {args.crop_size} px crops")


if __name__ == "__main__":
    main()
