"""Depth maps into HDF5, streamed: one float16 map per chunk, shuffled and deflate-compressed.

While the estimator works on one batch, a reader thread fetches the next batch of crops and a
pool of threads compresses and writes the last batch's maps (zlib releases the GIL, so the
compression runs in parallel; h5py only stores the finished chunks). The file reads back with
any HDF5 library, as ordinary shuffle + gzip chunks.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import h5py
import numpy as np

from depthfake.depth.base import DepthEstimator
from depthfake.depth.convention import (
    DEPTH_DATASET,
    MAPS_VERSION,
    MAPS_VERSION_ATTR,
    NAN_BACKGROUND_ATTR,
    check_convention,
)

DEFLATE_LEVEL = 1


def create_depth_dataset(out: h5py.File, count: int, side: int, attributes: dict,
                         nan_background: bool) -> h5py.Dataset:
    """The (count, side, side) float16 dataset of maps, one chunk each, with `attributes`, the
    maps' version and whether its backend marks background as NaN (readers refuse NaN
    otherwise)."""
    depth = out.create_dataset(DEPTH_DATASET, shape=(count, side, side), dtype=np.float16,
                               maxshape=(None, side, side), chunks=(1, side, side),
                               shuffle=True, compression="gzip", compression_opts=DEFLATE_LEVEL)
    depth.attrs.update({**attributes, MAPS_VERSION_ATTR: MAPS_VERSION,
                        NAN_BACKGROUND_ATTR: nan_background})
    return depth


def encode_chunk(depth_map: np.ndarray) -> bytes:
    """One map as HDF5's shuffle then deflate filters store it."""
    values = np.ascontiguousarray(depth_map, dtype=np.float16)
    shuffled = values.view(np.uint8).reshape(-1, values.itemsize).T.tobytes()
    return zlib.compress(shuffled, DEFLATE_LEVEL)


def write_map(depth: h5py.Dataset, row: int, depth_map: np.ndarray) -> bool:
    """Store one map as row `row`; returns whether it holds no depth at all (all NaN)."""
    depth.id.write_direct_chunk((row, 0, 0), encode_chunk(depth_map))
    return bool(np.isnan(depth_map).all())


def estimate_into(estimator: DepthEstimator, crops: h5py.Dataset | np.ndarray,
                  landmarks: h5py.Dataset | np.ndarray, depth: h5py.Dataset, *,
                  threads: int, source: str,
                  progress: Callable[[int], object] = lambda n: None) -> int:
    """Fill `depth` (from `create_depth_dataset`) with the maps of `crops`, row for row;
    returns the number of maps without any depth (all NaN). Maps outside the convention are
    refused (DepthValueError naming `source`, the crops' file, and the rows). `progress` gets
    crops done."""
    batches = [slice(start, min(start + estimator.batch_size, len(crops)))
               for start in range(0, len(crops), estimator.batch_size)]

    def read(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        return crops[rows], landmarks[rows]

    empty = 0
    with ThreadPoolExecutor(1) as reader, ThreadPoolExecutor(max(1, threads)) as writers:
        next_batch = reader.submit(read, batches[0]) if batches else None
        pending: list[Future] = []
        for number, rows in enumerate(batches):
            batch_crops, batch_landmarks = next_batch.result()
            if number + 1 < len(batches):
                next_batch = reader.submit(read, batches[number + 1])
            maps = estimator.estimate(batch_crops, batch_landmarks)
            check_convention(maps, estimator.marks_background, f"the depth of {source}",
                             np.arange(rows.start, rows.stop))
            empty += sum(done.result() for done in pending)
            pending = [writers.submit(write_map, depth, row, depth_map)
                       for row, depth_map in zip(range(rows.start, rows.stop), maps, strict=True)]
            progress(len(maps))
        empty += sum(done.result() for done in pending)
    return empty
