"""Reading sampled frames from a video, and writing FF++-style H.264 videos."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import cv2
import numpy as np

from depthfake.storage.atomic import atomic_output

# A gap longer than this many frames is crossed by seeking instead of decoding through it.
SEEK_GAP = 48


class VideoError(RuntimeError):
    """A video that cannot be opened or decoded as far as needed."""


def sample_indices(frame_count: int, n: int, stride: int | None = None) -> list[int]:
    """`n` evenly spaced frame indices over `frame_count` frames (all of them if fewer), or
    with a `stride`, every stride-th frame from the first, `n` at most."""
    if frame_count <= 0:
        return []
    if stride is not None:
        return list(range(0, frame_count, stride))[:n]
    if frame_count <= n:
        return list(range(frame_count))
    return np.linspace(0, frame_count - 1, n).round().astype(int).tolist()


def read_sampled_frames(path: str | os.PathLike, n: int, stride: int | None = None
                        ) -> tuple[list[int], list[np.ndarray]]:
    """Decode only the frames `sample_indices` picks; returns their indices and RGB arrays.

    Frames between two samples are grabbed (demuxed and decoded, never converted) or, over
    long gaps, skipped by seeking. Raises VideoError if the file is missing, unreadable or
    ends before a sampled frame (a truncated video).
    """
    if not Path(path).is_file():
        raise VideoError("file not found")
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise VideoError("cannot open video")
        indices = sample_indices(int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), n, stride)
        if not indices:
            raise VideoError("video reports no frames")
        frames: list[np.ndarray] = []
        position = 0
        for index in indices:
            if index - position > SEEK_GAP:
                cap.set(cv2.CAP_PROP_POS_FRAMES, index)
                position = index
            while position < index:
                if not cap.grab():
                    raise VideoError(f"video ends at frame {position}, before frame {index}")
                position += 1
            ok, frame = cap.read()
            if not ok:
                raise VideoError(f"cannot decode frame {index} of {indices[-1] + 1} expected")
            position += 1
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        return indices, frames
    finally:
        cap.release()


def frame_rate(path: str | os.PathLike) -> float | None:
    """The frames per second a video declares (None if it declares none or cannot be
    opened)."""
    cap = cv2.VideoCapture(str(path))
    try:
        fps = cap.get(cv2.CAP_PROP_FPS) if cap.isOpened() else 0.0
    finally:
        cap.release()
    return float(fps) if fps and fps > 0 else None


def write_h264(path: str | os.PathLike, frames: list[np.ndarray], fps: float, crf: int) -> None:
    """Encode RGB frames with libx264 at `crf` (0 = lossless, FF++'s raw; 40 = FF++'s c40).

    Frame sides must be even (4:2:0 chroma).

    Uses the ffmpeg binary shipped in the imageio-ffmpeg wheel; writes atomically.
    """
    import imageio_ffmpeg

    height, width = frames[0].shape[:2]
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-r", f"{fps}",
        "-i", "-", "-c:v", "libx264", "-preset", "veryfast",
        *(["-qp", "0"] if crf == 0 else ["-crf", str(crf)]),
        "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4",
    ]
    data = b"".join(np.ascontiguousarray(f, dtype=np.uint8).tobytes() for f in frames)
    with atomic_output(path) as tmp:
        try:
            subprocess.run([*command, str(tmp)], input=data, check=True, capture_output=True)
        except subprocess.CalledProcessError as err:
            message = err.stderr.decode(errors="replace")
            raise VideoError(f"ffmpeg failed on {path}: {message}") from err
