"""Per-shard HDF5 files of frames, crops and depth maps, written atomically."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import h5py

from depthfake.steps import atomic_output


@contextmanager
def write_h5(path: str | os.PathLike, **attrs) -> Iterator[h5py.File]:
    """An HDF5 file open for writing that appears at `path` only once the block succeeds."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as handle:
        handle.attrs.update({k: v for k, v in attrs.items() if v is not None})
        yield handle
