"""timm's backbone names and the module defining each, without importing timm: cached per
timm version.

Importing timm (and torch) takes seconds; the workflow checks `train.backbones` every time
Snakemake starts, so the names are read once per timm version and kept in the user's cache.
The module tells a backbone's family, so a split the model zoo cannot make is refused before
any job runs.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import platformdirs

from depthfake.plan.catalogue import SPLIT_FAMILIES
from depthfake.storage.atomic import atomic_output


def cache_file(timm_version: str) -> Path:
    return Path(platformdirs.user_cache_dir("depthfake")) / f"timm-{timm_version}-modules.tsv"


def timm_model_modules() -> dict[str, str] | None:
    """Every timm architecture name -> its module (`resnet`, `efficientnet`, ...), or None
    where timm is not installed."""
    try:
        cache = cache_file(version("timm"))
    except PackageNotFoundError:
        return None
    if not cache.is_file():
        import timm

        rows = [f"{name}\t{module}" for module in timm.list_modules()
                for name in timm.list_models(module=module)]
        with atomic_output(cache) as tmp:
            tmp.write_text("\n".join(rows))
    return dict(line.split("\t") for line in cache.read_text().splitlines())


def architecture(name: str) -> str:
    """A backbone name without its pretrained tag (`resnet50.a1_in1k` -> `resnet50`)."""
    return name.split(".")[0]


def unknown_backbones(names: list[str]) -> list[str]:
    """The names timm does not know (a pretrained tag, `name.tag`, is allowed); none are
    reported where timm is not installed (Snakemake may run without it)."""
    known = timm_model_modules()
    return [] if known is None else [n for n in names if architecture(n) not in known]


def unsplittable_backbones(names: list[str]) -> list[str]:
    """The known names of no family the split adapters support (see `SPLIT_FAMILIES`)."""
    known = timm_model_modules() or {}
    return [n for n in names
            if architecture(n) in known and known[architecture(n)] not in SPLIT_FAMILIES]
