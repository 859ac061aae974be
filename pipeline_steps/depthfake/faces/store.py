"""Face crops into HDF5 as they are found: resizable datasets, one crop per chunk.

A shard's crops are appended a video at a time, so memory does not grow with the shard, and
the training loader reads any crop (or run of crops) without decoding its neighbours.
"""

from __future__ import annotations

import h5py
import numpy as np

from depthfake.faces.crop import FaceCrop

# Rows per chunk of the small per-crop arrays (boxes, landmarks).
TABLE_CHUNK = 1024


class CropWriter:
    """Appends crops (uint8, N x S x S x 3), boxes (x0, y0, side) and 68 landmarks."""

    def __init__(self, out: h5py.File, size: int):
        def table(name: str, shape: tuple[int, ...], dtype: type, chunk: int) -> h5py.Dataset:
            return out.create_dataset(name, shape=(0, *shape), maxshape=(None, *shape),
                                      dtype=dtype, chunks=(chunk, *shape))

        self._datasets = {
            "crops": table("crops", (size, size, 3), np.uint8, 1),
            "boxes": table("boxes", (3,), np.int32, TABLE_CHUNK),
            "landmarks": table("landmarks", (68, 2), np.float32, TABLE_CHUNK),
        }
        self.count = 0

    def append(self, crops: list[FaceCrop]) -> range:
        """Store `crops` after those already written; returns their rows."""
        rows = range(self.count, self.count + len(crops))
        if not crops:
            return rows
        values = {"crops": [c.image for c in crops], "boxes": [c.box for c in crops],
                  "landmarks": [c.landmarks for c in crops]}
        for name, dataset in self._datasets.items():
            dataset.resize(rows.stop, axis=0)
            dataset[rows.start:rows.stop] = np.asarray(values[name], dtype=dataset.dtype)
        self.count = rows.stop
        return rows
