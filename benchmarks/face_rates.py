"""The share of frames with a face, per video, for each face backend on the same frames.

Runs crop_faces with each backend on frames the workflow has extracted (by default the
demo's c40 videos: run the demo first), or with --generated on a tree it makes (640x480
videos at CRF 40 whose faces are 42 px wide, two people), and reports per backend: videos,
the mean and lowest per-video face rate, videos with a face in under half their frames,
seconds per frame, frames per second and the cost beside HOG at upsample 1 (dlib:1, always
run: the ceiling a face configuration is measured against). With --scale below 1 the frames
are shrunk first (INTER_AREA), so the same footage shows the small faces of real data sets
(FF++ has faces down to about 40 px). This is how the shipped backends and settings were
chosen.

Usage: python benchmarks/face_rates.py [--frames results/frames/demo/c40 | --generated]
       [--scale 1.0] [--backends dlib:0 dlib_cnn:1 dlib_cascade:1] [--threads 1]
Appends one line to docs/records/face_rates.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from faces_throughput import face_settings

from depthfake.datasets.extract_shard import extract_frames
from depthfake.faces.crop_shard import crop_faces
from depthfake.faces.rates import LOW_RATE, video_face_rates
from depthfake.settings import FrameSettings
from depthfake.storage.h5 import open_h5, read_settings, write_h5
from depthfake.synthetic.videos import write_face_tree

from records import benchmark_device, benchmark_parser, write_record

HOG_UP1 = "dlib:1"  # the reference every configuration is timed against
# The generated tree: small, compressed faces as in FF++ c40 (faces 40 to 50 px in 480p).
GENERATED = dict(videos=6, frames=32, height=480, width=640, crf=40, compression="c40",
                 face_side=42, identities=2)


def shrunk(frames: Path, scale: float, out: Path) -> Path:
    """A copy of an extract_frames output (and its index) with every frame scaled by `scale`."""
    with open_h5(frames) as source, write_h5(out, read_settings(frames)) as copy:
        for name, video in source["videos"].items():
            height, width = (round(side * scale) for side in video.shape[1:3])
            copy[f"videos/{name}"] = np.stack([cv2.resize(f, (width, height),
                                                          interpolation=cv2.INTER_AREA)
                                               for f in video[:]])
    shutil.copy(frames.with_suffix(".parquet"), out.with_suffix(".parquet"))
    return out


def generated_frames(folder: Path, per_video: int) -> list[Path]:
    """The frames of a generated tree of GENERATED's videos, `per_video` sampled from each."""
    source = write_face_tree(folder / "tree", **GENERATED)
    out = folder / "frames.h5"
    extract_frames("generated", source, FrameSettings(per_video=per_video), kind="real",
                   compression=GENERATED["compression"], shard_index=0, num_shards=1,
                   out_frames=out, out_index=out.with_suffix(".parquet"),
                   out_skips=folder / "skips.csv")
    return [out]


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--frames", type=Path, default=Path("results/frames/demo/c40"),
                        help="a folder of extract_frames outputs (searched recursively)")
    parser.add_argument("--generated", action="store_true",
                        help="frames of a generated tree of small faces at CRF 40 instead")
    parser.add_argument("--per-video", type=int, default=8,
                        help="frames sampled per generated video")
    parser.add_argument("--backends", nargs="+", default=["dlib:0", "dlib_cascade:1"],
                        help="face backends, as backend[:upsample] (dlib:1 is always run)")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the frames first")
    parser.set_defaults(threads=1)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the skips of faceless videos are the point here
    device = benchmark_device(args)
    cv2.setNumThreads(args.threads)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        frame_files = (generated_frames(Path(folder), args.per_video) if args.generated
                       else sorted(args.frames.rglob("shard*.h5")))
        if not frame_files:
            parser.error(f"no extract_frames outputs under {args.frames}: run the demo first")
        if args.scale != 1:
            frame_files = [shrunk(f, args.scale, Path(folder) / f"shrunk{n}.h5")
                           for n, f in enumerate(frame_files)]
        for spec in dict.fromkeys([HOG_UP1, *args.backends]):
            settings = face_settings(spec, 64, args.device).model_copy(
                update={"min_face_share": 0.0})
            start, indices = time.perf_counter(), []
            for number, frames in enumerate(frame_files):
                out = Path(folder) / f"crops{number}"
                indices.append(crop_faces(frames, frames.with_suffix(".parquet"), settings,
                                          out_faces=out.with_suffix(".h5"),
                                          out_index=out.with_suffix(".parquet"),
                                          out_skips=out.with_suffix(".csv")))
            seconds = time.perf_counter() - start
            rates = video_face_rates(pd.concat(indices))["face_rate"]
            frames_seen = sum(len(i) for i in indices)
            rows.append({"backend": spec, "videos": len(rates),
                         "mean_face_rate": round(float(rates.mean()), 3),
                         "lowest_face_rate": round(float(rates.min()), 3),
                         "videos_under": int((rates < LOW_RATE).sum()),
                         "seconds_per_frame": round(seconds / frames_seen, 4),
                         "frames_per_second": round(frames_seen / seconds, 2),
                         "x_hog_up1": round(seconds / frames_seen / rows[0]["seconds_per_frame"],
                                            2) if rows else 1.0})
            print(f"{spec}: {len(rates)} videos, face rate mean {rates.mean():.3f}, lowest "
                  f"{rates.min():.3f}, {rows[-1]['videos_under']} under {LOW_RATE}; "
                  f"{rows[-1]['frames_per_second']:.1f} frames/s, {rows[-1]['x_hog_up1']:.2f}x "
                  f"the time of {HOG_UP1}", flush=True)
    frames = "generated" if args.generated else str(args.frames)
    write_record(args, "face_rates", device, {
        "frames": frames, "scale": args.scale, "rows": rows,
        **({"generated": GENERATED, "per_video": args.per_video} if args.generated else {})})


if __name__ == "__main__":
    main()
