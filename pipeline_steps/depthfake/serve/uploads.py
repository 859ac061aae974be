"""Receiving a video: its name checked (a file name, shown as text, never used as a path), its
bytes streamed into the service's own uploads folder under a generated name and refused as soon
as they pass the size limit, then checked to decode before a job is queued. A refused upload
leaves no file behind."""

from __future__ import annotations

import os
import subprocess
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

from imageio_ffmpeg import get_ffmpeg_exe
from starlette.concurrency import run_in_threadpool

from depthfake.datasets.base import VIDEO_SUFFIXES
from depthfake.serve.errors import Refused

MAX_NAME = 255
DECODE_SECONDS = 30


def checked_name(name: str) -> str:
    """The client's file name, if it is one: not empty, no path separators or control
    characters, at most MAX_NAME characters. Markup is allowed (it is only ever shown
    escaped)."""
    if not name or name in {".", ".."}:
        raise Refused(400, "the upload needs a file name (?name=clip.mp4)")
    if "/" in name or "\\" in name:
        raise Refused(400, f"the name {name!r} is a path; give the file's name only")
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise Refused(400, f"the name {name!r} holds control characters")
    if len(name) > MAX_NAME:
        raise Refused(400, f"the name is {len(name)} characters long; at most {MAX_NAME}")
    return name


def stored_name(job_id: str, name: str) -> str:
    """The upload's file name on disk: the job's id and, if it is a video suffix, the
    client's suffix."""
    suffix = Path(name).suffix.lower()
    return job_id + (suffix if suffix in VIDEO_SUFFIXES else "")


def decode_problem(path: Path, timeout: float = DECODE_SECONDS) -> str | None:
    """Why `path` is not a video whose first frame decodes (None when it is). FFmpeg (the
    one imageio-ffmpeg ships) decodes it in a process of its own, so a file crafted to crash a
    decoder crashes that process, not the service."""
    command = [get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v:0",
               "-frames:v", "1", "-f", "null", "-"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"its first frame did not decode within {timeout:g} s"
    if result.returncode == 0:
        return None
    said = [line for line in result.stderr.splitlines() if line.strip()]
    detail = said[-1].replace(str(path), "the file") if said else f"exit {result.returncode}"
    return f"it is not a video with a frame FFmpeg can decode ({detail[:200]})"


async def receive(chunks: AsyncIterator[bytes], *, folder: Path, name: str, limit: int,
                  declared: int | None) -> Path:
    """Stream an upload into `folder / name`, refusing it (413) once it passes `limit`
    bytes, or at once when its declared length does; an empty upload is refused (400)."""
    if declared is not None and declared > limit:
        raise Refused(413, f"the upload is {declared} bytes; this service takes at "
                            f"most {limit}")
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / name
    partial = folder / f".{name}.part"
    size = 0
    try:
        with open(partial, "wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise Refused(413, f"the upload passed {limit} bytes, the most "
                                        "this service takes; the rest was not read")
                await run_in_threadpool(out.write, chunk)
        if size == 0:
            raise Refused(400, "the upload is empty")
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final
