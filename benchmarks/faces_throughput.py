"""Extraction plus cropping per face backend (plus depth, with --depth), beside decoding.

On generated FF++-shaped videos (a face 40 % of the frame height, H.264 at CRF 23) of each
--sizes, through the step functions the workflow runs:

stages:  extract_frames (N evenly spaced frames per video) then crop_faces with the backend
         (then estimate_depth with --depth): sampled frames per second end to end, on
         --threads CPU threads (1: per core);
decode:  decoding every frame of the same files without colour conversion (OpenCV `grab`):
         sampling is decode-bound, so sampled frames / whole-file decode time is the ceiling;
disk:    the crop file's bytes per 1,000 crops at --crop-size.
With --ffpp-videos it also prints the time the end-to-end rate implies for that many videos.

Usage: python benchmarks/faces_throughput.py [--backends dlib:0 dlib:1 dlib_cnn:0
       face_alignment] [--sizes 640x480 1280x720] [--videos 8] [--frames 64] [--per-video 32]
       [--crop-size 224] [--depth landmark_mesh] [--device auto] [--threads 1]
Appends one line to docs/records/faces.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import cv2
from frames_throughput import decode_rate

from depthfake.datasets import list_videos
from depthfake.datasets.extract_shard import extract_frames
from depthfake.depth.estimate_shard import estimate_depth
from depthfake.faces.crop_shard import crop_faces
from depthfake.settings import DepthBackendOptions, FaceSettings, FrameSettings
from depthfake.synthetic.videos import write_face_tree

from records import benchmark_device, benchmark_parser, frame_size, write_record

COMPRESSION = "c23"


def face_settings(spec: str, crop_size: int, device: str) -> FaceSettings:
    """`backend[:upsample]` as settings (face_alignment runs on --device)."""
    backend, _, upsample = spec.partition(":")
    options = {"upsample": int(upsample)} if upsample else {}
    if backend == "face_alignment":
        options = {"device": device}
    return FaceSettings.model_validate({"backend": backend, "crop_size": crop_size,
                                        backend: options})


def timed(function, *args, **kwargs) -> tuple[float, object]:
    """Seconds `function(*args, **kwargs)` took, and its result."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def size_rows(folder: Path, size: str, backends: dict[str, FaceSettings], *, videos: int,
              frames: int, per_video: int, crop_size: int, depth: str | None,
              depth_options: DepthBackendOptions, device: str, threads: int,
              ffpp_videos: int) -> list[dict]:
    """One row per face backend (label: settings) on generated videos of frame size `size`
    (WIDTHxHEIGHT), beside decoding the same files."""
    width, height = frame_size(size)
    out = folder / size
    source = write_face_tree(out / "tree", videos, frames, height=height, width=width)
    written = [Path(v.path) for v in list_videos(source, "real", COMPRESSION)]
    # (an odd --videos names a pair partner that is not written)
    decoded = [decode_rate(path) for path in written if path.is_file()]
    decode = sum(count / rate for count, rate in decoded)  # seconds, every file
    frame_files = (out / "frames.h5", out / "frames.parquet", out / "skips.csv")
    extract, _ = timed(extract_frames, "bench", source, FrameSettings(per_video=per_video),
                       kind="real", compression=COMPRESSION, shard_index=0, num_shards=1,
                       out_frames=frame_files[0], out_index=frame_files[1],
                       out_skips=frame_files[2])
    sampled = videos * min(per_video, frames)
    ceiling = sampled / decode
    rows = []
    for spec, faces in backends.items():
        crop_files = (out / f"{spec}.h5", out / f"{spec}.parquet", out / "s2.csv")
        crop, index = timed(crop_faces, frame_files[0], frame_files[1], faces,
                            out_faces=crop_files[0], out_index=crop_files[1],
                            out_skips=crop_files[2])
        found = int(index["has_face"].sum())
        depth_s = 0.0 if depth is None else timed(
            estimate_depth, crop_files[0], depth, depth_options, out / "depth.h5", threads)[0]
        rate = sampled / (extract + crop + depth_s)
        disk = crop_files[0].stat().st_size / max(found, 1) * 1000 / 2**20
        rows.append({
            "size": size, "backend": spec, "sampled": sampled, "faces": found,
            "ceiling_frames_per_s": round(ceiling, 1),
            "extract_s": round(extract, 2), "crop_s": round(crop, 2),
            "depth_s": round(depth_s, 2), "frames_per_s": round(rate, 2),
            "ratio": round(rate / ceiling, 3), "mb_per_1000_crops": round(disk, 1),
            "ffpp_hours": round(ffpp_videos * per_video / rate / 3600, 2)})
        print(f"{size} {spec}: {sampled} frames, {found} faces; extract {extract:.1f} s, "
              f"crop {crop:.1f} s, depth {depth_s:.1f} s -> {rate:,.2f} frames/s "
              f"(decode ceiling {ceiling:,.1f}, {rate / ceiling:.3f}x); {disk:,.1f} MB per "
              f"1,000 crops; {ffpp_videos} videos x {per_video} frames: "
              f"{rows[-1]['ffpp_hours']} h", flush=True)
    return rows


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--backends", nargs="+", default=["dlib:0", "dlib:1"],
                        help="face backends, as backend[:upsample]")
    parser.add_argument("--sizes", nargs="+", default=["640x480"], help="WIDTHxHEIGHT")
    parser.add_argument("--videos", type=int, default=8, help="videos per size")
    parser.add_argument("--frames", type=int, default=64, help="frames per video")
    parser.add_argument("--per-video", type=int, default=32, help="frames sampled per video")
    parser.add_argument("--crop-size", type=int, default=224)
    parser.add_argument("--depth", default=None, help="also estimate depth with this backend")
    parser.add_argument("--ffpp-videos", type=int, default=5000,
                        help="videos the end-to-end rate is projected to (FF++ c40: 5,000)")
    parser.set_defaults(threads=1)
    args = parser.parse_args()
    device = benchmark_device(args)
    cv2.setNumThreads(args.threads)
    with tempfile.TemporaryDirectory() as folder:
        rows = [row for size in args.sizes for row in size_rows(
            Path(folder), size, {spec: face_settings(spec, args.crop_size, args.device)
                                 for spec in args.backends}, videos=args.videos, frames=args.frames,
            per_video=args.per_video, crop_size=args.crop_size, depth=args.depth,
            depth_options=DepthBackendOptions(), device=args.device, threads=args.threads,
            ffpp_videos=args.ffpp_videos)]
    write_record(args, "faces", device, {
        "videos": args.videos, "frames": args.frames, "per_video": args.per_video,
        "crop_size": args.crop_size, "depth": args.depth, "ffpp_videos": args.ffpp_videos,
        "rows": rows})


if __name__ == "__main__":
    main()
