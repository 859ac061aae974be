"""Atomic outputs: a file or a folder appears whole under its name or not at all."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG}


class FailedWriteError(OSError):
    """An output that could not be written: its file and the cause, in one line."""

    def __init__(self, path: str | os.PathLike, cause: BaseException):
        code = getattr(cause, "errno", None)
        super().__init__(code, f"could not write {path}: "
                               f"{os.strerror(code) if code else cause}")

    def __str__(self) -> str:
        return self.strerror


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` only if the block succeeds.
    The temporary file is removed whatever the failure; a write the disk refused is one
    FailedWriteError naming `path`.

    Temporary files that a killed earlier job left for the same output are removed first.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, final)
    except FailedWriteError:
        raise
    except OSError as err:
        if err.errno in WRITE_ERRNOS:
            raise FailedWriteError(final, err) from err
        raise
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder beside `path`; it replaces `path` (and whatever was there)
    only if the block succeeds, and is removed otherwise, as are folders a killed earlier
    job left for the same output."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in final.parent.glob(f".{final.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    tmp.mkdir()
    try:
        yield tmp
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except OSError as err:
        if err.errno in WRITE_ERRNOS:
            raise FailedWriteError(final, err) from err
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
