"""Seconds to score one 10-second 720p video with a bundle, split by phase, beside decoding
alone, measured in the same run.

One H.264 file (25 fps, a face moving over noise) is scored twice with `depthfake detect`'s
library path (`depthfake.detect.batch`): with 32 evenly spaced frames and with every frame.
Each run is split into decode (sampling the frames), faces (the bundle's face detector and
crop), depth (its depth backend), model (the detector), Grad-CAM (of the most and least
suspicious frames) and page (frames.csv, frames.json and the HTML page); loading the face
and depth models, once per batch, is timed apart. The ceiling is decoding alone:
`read_sampled_frames` of the same frames, without faces or model.

The bundle is the demo's preprocessing (mdn on test_efficientnet at 64 px, dlib HOG at
upsample 0, landmark-mesh depth) with random weights (`depthfake.synthetic.bundle`), or
--bundle (an exported one): time does not depend on the weights. Target: 32 frames in under
10 s on 2 CPU cores.

Usage: python benchmarks/detect_throughput.py [--seconds 10] [--size 1280x720]
       [--frames 32] [--bundle FOLDER] [--threads 2]
Appends one line to docs/records/detect.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import torch

from depthfake.bundles import Bundle, load_bundle
from depthfake.datasets.video import read_sampled_frames, write_h264
from depthfake.detect.batch import write_video
from depthfake.detect.score import VideoScorer
from depthfake.plan.provenance import code_version
from depthfake.settings import DetectSettings
from depthfake.settings.detect import EVERY_FRAME
from depthfake.synthetic.bundle import write_random_bundle
from depthfake.synthetic.videos import face_frames

from records import add_video_options, benchmark_device, benchmark_parser, frame_size, write_record

PHASES = ("decode", "faces", "depth", "model", "gradcam", "page")
TARGET_SECONDS = 10.0
FPS = 25


def write_video_file(path: Path, seconds: float, size: str) -> Path:
    """An H.264 file (CRF 23, 25 fps) of a face moving over noise, `seconds` long."""
    width, height = frame_size(size)
    write_h264(path, face_frames(round(seconds * FPS), height, width, seed=0,
                                 face_side=height // 4), fps=FPS, crf=23)
    return path


def score_run(video: Path, bundle: Bundle, label: str, *, frames: int | None,
              stride: int | None, device: torch.device, out: Path) -> dict:
    """One detect run of `video` (its phases' seconds) beside decoding the same frames."""
    settings = DetectSettings(frames=frames, stride=stride, device=device.type)
    setup_start = time.perf_counter()
    scorer = VideoScorer(bundle, settings)  # the face and depth models loaded
    setup = time.perf_counter() - setup_start
    start = time.perf_counter()
    scored = scorer.score(video)
    write_video(scored, out / label, bundle, code_version())
    total = time.perf_counter() - start
    decode_start = time.perf_counter()
    read_sampled_frames(video, frames or EVERY_FRAME, stride)
    decode_only = time.perf_counter() - decode_start
    row = {"run": label, "frames": len(scored.frames), "faces": scored.faced_frames,
           **{f"{phase}_s": round(scored.seconds.get(phase, 0.0), 3) for phase in PHASES},
           "total_s": round(total, 3), "setup_s": round(setup, 3),
           "decode_only_s": round(decode_only, 3),
           "frames_per_s": round(len(scored.frames) / total, 2)}
    print(f"{label}: {row['frames']} frames ({row['faces']} with a face) in {total:.2f} s = "
          + " + ".join(f"{phase} {row[f'{phase}_s']:.2f}" for phase in PHASES)
          + f" (models loaded once before: {setup:.2f} s); decoding alone "
          f"{decode_only:.2f} s", flush=True)
    return row


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.set_defaults(threads=2, device="cpu")
    add_video_options(parser, seconds=10.0, size="1280x720")
    parser.add_argument("--frames", type=int, default=32, help="frames of the sampled run")
    args = parser.parse_args()
    device = benchmark_device(args)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        video = write_video_file(work / "video.mp4", args.seconds, args.size)
        bundle = load_bundle(args.bundle or write_random_bundle(work / "bundle"))
        rows = [score_run(video, bundle, f"{args.frames} frames", frames=args.frames,
                          stride=None, device=device, out=work),
                score_run(video, bundle, "every frame", frames=None, stride=1, device=device,
                          out=work)]
    met = rows[0]["total_s"] < TARGET_SECONDS
    print(f"target: {args.frames} frames in under {TARGET_SECONDS:g} s: "
          f"{'met' if met else 'missed'}")
    write_record(args, "detect", device, {
        "video": f"{args.size} H.264 CRF 23, {args.seconds:g} s at {FPS} fps",
        "bundle": str(args.bundle) if args.bundle else "demo preprocessing, random weights",
        "face_backend": bundle.preprocessing["faces"]["backend"],
        "depth_backend": (bundle.preprocessing["depth"] or {}).get("backend"),
        "target_seconds": TARGET_SECONDS, "target_met": met, "rows": rows})


if __name__ == "__main__":
    main()
