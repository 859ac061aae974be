"""FF++-shaped trees of generated real-face videos, for tests and benchmarks at any size.

Every video shows one of two public-domain stills (scikit-image's astronaut, Eileen Collins;
matplotlib's Grace Hopper) drifting over a noise background, at a given frame size and face
size, with pair-format split files.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from depthfake.datasets.ffpp import video_path
from depthfake.datasets.video import write_h264
from depthfake.demo.sources import PEOPLE, read_frames
from depthfake.settings import DatasetSource

# Each still's head (rows, columns): twice its face box as dlib's HOG finds it (90 and 186 px
# wide), centred on it.
HEADS = {"astronaut": (slice(38, 214), slice(134, 310)),
         "grace_hopper": (slice(46, 418), slice(87, 459))}
IDENTITIES = tuple(HEADS)


def head_image(identity: str) -> np.ndarray:
    """The RGB head of one of the IDENTITIES, square."""
    person = next(p for p in PEOPLE if p.name == identity)
    return read_frames(person)[0][HEADS[identity]]


def face_frames(count: int, height: int, width: int, seed: int, face_side: int | None = None, *,
                identity: str = IDENTITIES[0]) -> list[np.ndarray]:
    """`count` frames of a head moving over noise; its face box is `face_side` px wide
    (default: 40 % of the frame height)."""
    rng = np.random.default_rng(seed)
    side = 2 * (face_side or int(0.4 * height)) & ~1
    if side >= min(height, width):
        raise ValueError(f"a {side // 2} px face does not fit a {width}x{height} frame")
    head = cv2.resize(head_image(identity), (side, side), interpolation=cv2.INTER_AREA)
    background = rng.integers(0, 255, (height, width, 3), np.uint8)
    x, y = rng.integers(0, width - side), rng.integers(0, height - side)
    frames = []
    for i in range(count):
        frame = background.copy()
        left, top = (x + 3 * i) % (width - side), (y + 2 * i) % (height - side)
        frame[top:top + side, left:left + side] = head
        frames.append(frame)
    return frames


def write_face_tree(root: Path, videos: int, frames: int, *, height: int = 256, width: int = 256,
                    crf: int = 23, compression: str = "c23", forgeries: tuple[str, ...] = (),
                    face_side: int | None = None, identities: int = 1) -> DatasetSource:
    """`videos` real videos (ids 000, 001, ...) under `root`, and for each forgery folder the
    two fakes of every pair (the same kind of footage: for throughput and bookkeeping, not
    for learning), with split files (train but for one val and one test pair). Faces are
    `face_side` px wide (face_frames' default without); video i shows identity i modulo
    `identities` (at most len(IDENTITIES))."""
    if not 1 <= identities <= len(IDENTITIES):
        raise ValueError(f"identities must be 1 to {len(IDENTITIES)}, not {identities}")
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
                   face_frames(frames, height, width, number, face_side,
                               identity=IDENTITIES[number % identities]), fps=25, crf=crf)
    return DatasetSource(root=str(root), splits_dir=str(splits))
