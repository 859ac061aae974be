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

from depthfake.bundles import load_bundle
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


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.set_defaults(threads=2, device="cpu")
    add_video_options(parser, seconds=10.0, size="1280x720")
    parser.add_argument("--frames", type=int, default=32, help="frames of the sampled run")
    args = parser.parse_args()
    device = benchmark_device(args)
    width, height = frame_size(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        video = work / "video.mp4"
        count = round(args.seconds * FPS)
        write_h264(video, face_frames(count, height, width, seed=0, face_side=height // 4),
                   fps=FPS, crf=23)
        bundle = load_bundle(args.bundle or write_random_bundle(work / "bundle"))
        rows = []
        for label, frames, stride in ((f"{args.frames} frames", args.frames, None),
                                      ("every frame", None, 1)):
            settings = DetectSettings(frames=frames, stride=stride, device=device.type)
            setup_start = time.perf_counter()
            scorer = VideoScorer(bundle, settings)  # the face and depth models loaded
            setup = time.perf_counter() - setup_start
            start = time.perf_counter()
            scored = scorer.score(video)
            write_video(scored, work / label, bundle, code_version())
            total = time.perf_counter() - start
            decode_start = time.perf_counter()
            read_sampled_frames(video, frames or EVERY_FRAME, stride)
            decode_only = time.perf_counter() - decode_start
            row = {"run": label, "frames": len(scored.frames), "faces": scored.faced_frames,
                   **{f"{phase}_s": round(scored.seconds.get(phase, 0.0), 3)
                      for phase in PHASES},
                   "total_s": round(total, 3), "setup_s": round(setup, 3),
                   "decode_only_s": round(decode_only, 3),
                   "frames_per_s": round(len(scored.frames) / total, 2)}
            rows.append(row)
            print(f"{label}: {row['frames']} frames ({row['faces']} with a face) in "
                  f"{total:.2f} s = " + " + ".join(f"{phase} {row[f'{phase}_s']:.2f}"
                                                    for phase in PHASES)
                  + f" (models loaded once before: {setup:.2f} s); decoding alone "
                  f"{decode_only:.2f} s")
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
