"""FF++-shaped trees of generated real-face videos, for tests and benchmarks at any size.

Every video shows scikit-image's astronaut (Eileen Collins, public domain) drifting over a
noise background, at a given frame size, with pair-format split files.
"""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

import cv2
import numpy as np

from depthfake.datasets.ffpp import video_path
from depthfake.settings import DatasetSource
from depthfake.video import write_h264

# The astronaut's head in astronaut.png (rows, columns): twice her face box (87 px wide).
HEAD = (slice(38, 214), slice(134, 310))


def astronaut_head() -> np.ndarray:
    path = Path(find_spec("skimage").submodule_search_locations[0]) / "data" / "astronaut.png"
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)[HEAD]


def face_frames(count: int, height: int, width: int, seed: int) -> list[np.ndarray]:
    """`count` frames of the head moving over noise; the face is 40 % of the frame height."""
    rng = np.random.default_rng(seed)
    side = int(0.8 * height) & ~1
    head = cv2.resize(astronaut_head(), (side, side), interpolation=cv2.INTER_AREA)
    background = rng.integers(0, 255, (height, width, 3), np.uint8)
    x, y = rng.integers(0, width - side), rng.integers(0, height - side)
    frames = []
    for i in range(count):
        frame = background.copy()
        left, top = (x + 3 * i) % (width - side), (y + 2 * i) % (height - side)
        frame[top:top + side, left:left + side] = head
        frames.append(frame)
    return frames


def write_face_tree(root: Path, videos: int, frames: int, height: int = 256, width: int = 256,
                    crf: int = 23, compression: str = "c23", forgeries: tuple[str, ...] = ()
                    ) -> DatasetSource:
    """`videos` real videos (ids 000, 001, ...) under `root`, and for each forgery folder the
    two fakes of every pair (the same kind of footage: for throughput and bookkeeping, not
    for learning), with split files (train but for one val and one test pair)."""
    ids = [f"{i:03d}" for i in range(videos + videos % 2)]
    pairs = [list(p) for p in zip(ids[::2], ids[1::2], strict=True)]
    splits = root / "splits"
    splits.mkdir(parents=True, exist_ok=True)
    for split, part in (("train", pairs[:-2]), ("val", pairs[-2:-1]), ("test", pairs[-1:])):
        (splits / f"{split}.json").write_text(json.dumps(part))
    names = [("real", vid) for vid in ids[:videos]] + [
        (kind, f"{a}_{b}") for kind in forgeries for t, s in pairs for a, b in ((t, s), (s, t))]
    for number, (kind, name) in enumerate(names):
        write_h264(video_path(root, kind, compression, name, "youtube"),
                   face_frames(frames, height, width, number), fps=25, crf=crf)
    return DatasetSource(root=str(root), splits_dir=str(splits))
