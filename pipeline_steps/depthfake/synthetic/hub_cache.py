"""A model folder placed in a Hugging Face cache as a download of a hub repo leaves it, so the
hub-id loading path runs offline (HF_HUB_OFFLINE=1) on locally saved models."""

from __future__ import annotations

import shutil
from pathlib import Path

SNAPSHOT = "0123456789abcdef0123456789abcdef01234567"


def cache_as_download(folder: str | Path, cache: str | Path, repo: str) -> str:
    """Copy `folder` into the hub cache `cache` as the snapshot of repo `repo` (user/name) that
    its main branch points to; returns the commit the snapshot is named after."""
    cached = Path(cache) / f"models--{repo.replace('/', '--')}"
    shutil.copytree(folder, cached / "snapshots" / SNAPSHOT)
    (cached / "refs").mkdir()
    (cached / "refs" / "main").write_text(SNAPSHOT)
    return SNAPSHOT
