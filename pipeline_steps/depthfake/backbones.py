"""timm's backbone names without importing timm: cached per timm version.

Importing timm (and torch) takes seconds; the workflow checks `train.backbones` every time
Snakemake starts, so the names are read once per timm version and kept in the user's cache.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import platformdirs

from depthfake.steps import atomic_output


def cache_file(timm_version: str) -> Path:
    return Path(platformdirs.user_cache_dir("depthfake")) / f"timm-{timm_version}-models.txt"


def timm_model_names() -> frozenset[str] | None:
    """Every timm architecture name, or None where timm is not installed."""
    try:
        cache = cache_file(version("timm"))
    except PackageNotFoundError:
        return None
    if not cache.is_file():
        import timm

        with atomic_output(cache) as tmp:
            tmp.write_text("\n".join(timm.list_models()))
    return frozenset(cache.read_text().split())


def unknown_backbones(names: list[str]) -> list[str]:
    """The names timm does not know (a pretrained tag, `name.tag`, is allowed); none are
    reported where timm is not installed (Snakemake may run without it)."""
    known = timm_model_names()
    return [] if known is None else [n for n in names if n.split(".")[0] not in known]
