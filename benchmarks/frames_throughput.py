"""Frame sampling beside its ceiling, on one long-GOP H.264 file made for the run.

sampled: `depthfake.datasets.video.read_sampled_frames` taking N evenly spaced frames (as
         extract_frames does): its wall time, and sampled frames per second;
decode:  decoding every frame of the same file without colour conversion (OpenCV `grab`),
         frames per second and the time for the whole file. Reaching a frame of a long-GOP
         stream means decoding from the keyframe before it, so once samples are closer than
         the keyframe interval the whole file's decode time bounds sampling: the ceiling for
         N sampled frames is N / that time.
The file's keyframe interval is read back with ffmpeg's showinfo filter and reported.

Usage: python benchmarks/frames_throughput.py [--frames 750] [--size 640x480]
       [--per-video 32] [--crf 23] [--threads 1]
Appends one line to docs/records/frames.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np

from depthfake.datasets.video import read_sampled_frames, write_h264

from records import benchmark_device, benchmark_parser, write_record


def moving_frames(count: int, width: int, height: int) -> list[np.ndarray]:
    """Frames with texture and motion, so the encoder makes real P-frames."""
    rng = np.random.default_rng(0)
    texture = rng.integers(0, 256, (height, 2 * width, 3), dtype=np.uint8)
    texture = cv2.GaussianBlur(texture, (9, 9), 3)
    return [np.ascontiguousarray(texture[:, i % width:i % width + width]) for i in range(count)]


def keyframes(path: Path) -> list[int]:
    """Indices of the file's keyframes (ffmpeg's showinfo filter)."""
    result = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path),
                             "-vf", "showinfo", "-f", "null", "-"], capture_output=True,
                            text=True, check=True)
    return [int(n) for n, key in re.findall(r"n:\s*(\d+).*?iskey:(\d)", result.stderr)
            if key == "1"]


def decode_rate(path: Path) -> tuple[int, float]:
    """Frames in the file and frames decoded per second, every frame, no conversion."""
    capture = cv2.VideoCapture(str(path))
    start, count = time.perf_counter(), 0
    while capture.grab():
        count += 1
    capture.release()
    return count, count / (time.perf_counter() - start)


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--frames", type=int, default=750, help="frames in the file")
    parser.add_argument("--size", default="640x480", help="WIDTHxHEIGHT")
    parser.add_argument("--per-video", type=int, default=32, help="frames sampled")
    parser.add_argument("--crf", type=int, default=23, help="libx264 CRF (FF++ c23)")
    parser.set_defaults(device="cpu", threads=1)
    args = parser.parse_args()
    device = benchmark_device(args)
    cv2.setNumThreads(args.threads)
    width, height = map(int, args.size.split("x"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long_gop.mp4"
        write_h264(path, moving_frames(args.frames, width, height), fps=25.0, crf=args.crf)
        keys = keyframes(path)
        total, decode = decode_rate(path)
        start = time.perf_counter()
        indices, _ = read_sampled_frames(path, args.per_video)
        sampled = len(indices) / (time.perf_counter() - start)
    interval = int(np.diff(keys).max()) if len(keys) > 1 else total
    ceiling = len(indices) * decode / total
    print(f"{width}x{height}, {total} frames, keyframes at {keys} (interval {interval}): "
          f"decode {decode:,.1f} frames/s; sampling {len(indices)} frames {sampled:,.1f} "
          f"frames/s, ceiling {ceiling:,.1f} ({sampled / ceiling:.2f}x)", flush=True)
    write_record(args, "frames", device, {
        "size": args.size, "frames": total, "crf": args.crf, "keyframes": keys,
        "keyframe_interval": interval, "per_video": len(indices),
        "decode_frames_per_s": round(decode, 1), "sampled_frames_per_s": round(sampled, 1),
        "sampled_ceiling_per_s": round(ceiling, 1), "ratio": round(sampled / ceiling, 3)})


if __name__ == "__main__":
    main()
