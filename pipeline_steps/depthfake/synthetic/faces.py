"""Face shards of synthetic crops that a detector can separate, for tests and benchmarks.

Crops are noise around mid-grey; every fake carries a brighter square in the middle. Depth
maps are a dome inside a NaN background. Files have the layout the workflow writes: a
Parquet frame index, crops in HDF5 (`crops`) and depth in HDF5 (`depth`), one of each per
shard.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from depthfake.depth.store import create_depth_dataset
from depthfake.storage.h5 import write_h5

FRAMES_PER_VIDEO = 8


def synthetic_crops(labels: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 crops (N, size, size, 3) of uniform noise in [60, 196); those with label 1 carry
    a square 59 levels brighter."""
    crops = rng.integers(60, 196, (len(labels), size, size, 3), dtype=np.uint8)
    square = slice(3 * size // 8, 5 * size // 8)
    crops[labels == 1, square, square] += 59
    return crops


def dome(size: int) -> np.ndarray:
    """A depth map in the project's convention: 1 nearest at the centre, NaN outside."""
    grid = np.linspace(-1, 1, size)
    radius2 = grid[None, :] ** 2 + grid[:, None] ** 2
    return np.where(radius2 < 0.8, 1 - radius2, np.nan).astype(np.float16)


def write_synthetic_shards(folder: Path, size: int, faces: dict[str, int], shards: int = 2,
                           seed: int = 0) -> dict[str, list[Path]]:
    """`faces[split]` faces per split, half fake, spread over `shards` shards of whole
    videos, each two neighbouring videos (a real and a fake) one cluster; returns the aligned
    index, faces and depth file lists."""
    rng = np.random.default_rng(seed)
    splits = np.concatenate([[split] * count for split, count in faces.items()])
    video = np.arange(len(splits)) // FRAMES_PER_VIDEO
    labels = video % 2
    files: dict[str, list[Path]] = {"index": [], "faces": [], "depth": []}
    for shard in range(shards):
        mine = np.flatnonzero(video % shards == shard)
        paths = {kind: folder / f"shard{shard}.{ext}" for kind, ext in
                 (("index", "parquet"), ("faces", "faces.h5"), ("depth", "depth.h5"))}
        settings = {"faces": {"crop_size": size}, "source": "synthetic"}
        with write_h5(paths["faces"], settings) as h5:
            h5.create_dataset("crops", data=synthetic_crops(labels[mine], size, rng),
                              chunks=(1, size, size, 3))
        with write_h5(paths["depth"], settings) as h5:
            depth = create_depth_dataset(h5, len(mine), size, {"backend": "synthetic dome"},
                                         nan_background=True)
            depth[:] = np.repeat(dome(size)[None], len(mine), axis=0)
        pd.DataFrame({
            "video": [f"{v:03d}" for v in video[mine]], "kind": np.where(
                labels[mine] == 1, "FaceSwap", "real"), "label": labels[mine],
            "compression": "raw", "split": splits[mine],
            "cluster": [f"pair{v // 2:03d}" for v in video[mine]], "frame": mine % FRAMES_PER_VIDEO,
            "has_face": True, "row": np.arange(len(mine))}).to_parquet(paths["index"])
        for kind, path in paths.items():
            files[kind].append(path)
    return files
