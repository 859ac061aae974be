"""Per-shard HDF5 files of frames, crops and depth maps: written atomically, read with errors
that name the file."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import h5py

from depthfake.storage.atomic import WRITE_ERRNOS, FailedWriteError, atomic_output
from depthfake.storage.files import unreadable

log = logging.getLogger(__name__)
# HDF5 attribute holding the settings that produced a file, as JSON.
SETTINGS_ATTR = "settings"


@contextmanager
def failed_writes_end_the_process(tmp: Path, path: str | os.PathLike) -> Iterator[
        Callable[[BaseException], NoReturn]]:
    """While HDF5 writes `tmp` (for `path`): the first write it fails, raised or reported by
    h5py while freeing an object (a chunk it could not flush: printed and ignored otherwise),
    removes `tmp`, names `path` and the cause in one line on stderr and in the log, and ends
    the process, since HDF5 (2.0) can crash on any later call to it, closing included."""
    hooks = sys.excepthook, sys.unraisablehook

    def fail(cause: BaseException) -> NoReturn:
        tmp.unlink(missing_ok=True)
        error = FailedWriteError(path, cause)
        log.critical("%s", error)
        print(f"{Path(sys.argv[0]).name}: {error}", file=sys.stderr, flush=True)
        logging.shutdown()
        os._exit(1)

    def print_hook(exc_type, exc, tb) -> None:  # noqa: ANN001 - sys.excepthook signature
        fail(exc) if isinstance(exc, OSError) else hooks[0](exc_type, exc, tb)

    def unraisable_hook(unraisable) -> None:  # noqa: ANN001 - sys.unraisablehook signature
        exc = unraisable.exc_value
        fail(exc) if isinstance(exc, OSError) else hooks[1](unraisable)

    sys.excepthook, sys.unraisablehook = print_hook, unraisable_hook
    try:
        yield fail
    finally:
        sys.excepthook, sys.unraisablehook = hooks


@contextmanager
def write_h5(path: str | os.PathLike, settings: dict) -> Iterator[h5py.File]:
    """An HDF5 file open for writing that appears at `path` only once the block succeeds;
    `settings` (what produced it) are stored as JSON in its attributes. A write HDF5 fails (a
    full disk) ends the process with one line naming `path` and the cause, leaving no
    temporary file (failed_writes_end_the_process)."""
    with atomic_output(path) as tmp, failed_writes_end_the_process(tmp, path) as fail:
        handle = h5py.File(tmp, "w")
        try:
            handle.attrs[SETTINGS_ATTR] = json.dumps(settings)
            yield handle
            handle.flush()
        except OSError as err:
            if err.errno in WRITE_ERRNOS:
                fail(err)
            raise
        finally:
            handle.close()


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
