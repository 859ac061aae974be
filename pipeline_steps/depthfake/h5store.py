"""Per-shard HDF5 files of frames, crops and depth maps: written atomically, read with errors
that name the file."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import h5py

from depthfake.files import unreadable
from depthfake.steps import atomic_output

# HDF5 attribute holding the settings that produced a file, as JSON.
SETTINGS_ATTR = "settings"


@contextmanager
def write_h5(path: str | os.PathLike, settings: dict) -> Iterator[h5py.File]:
    """An HDF5 file open for writing that appears at `path` only once the block succeeds;
    `settings` (what produced it) are stored as JSON in its attributes."""
    with atomic_output(path) as tmp, h5py.File(tmp, "w") as handle:
        handle.attrs[SETTINGS_ATTR] = json.dumps(settings)
        yield handle


def open_h5(path: str | os.PathLike) -> h5py.File:
    """An HDF5 file open for reading, or one clear error naming it."""
    try:
        return h5py.File(path, "r")
    except OSError as err:
        raise unreadable(path, "HDF5 file", err) from err


def read_settings(path: str | os.PathLike) -> dict:
    """The settings stored with an HDF5 file by `write_h5`."""
    with open_h5(path) as handle:
        return json.loads(handle.attrs[SETTINGS_ATTR])


def shared_settings(paths: list[str | os.PathLike]) -> dict:
    """The settings stored with every one of `paths`, which must all agree."""
    settings = {str(path): read_settings(path) for path in paths}
    first_path, first = next(iter(settings.items()))
    for path, other in settings.items():
        if other != first:
            raise ValueError(f"{path} was made with other settings than {first_path}: "
                             f"{other} != {first}; rerun the workflow to rebuild it")
    return first
