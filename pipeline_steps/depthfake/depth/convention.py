"""The one depth convention of every backend, and the check of maps against it: relative depth
in [0, 1] per crop, 1 = nearest; a backend that marks background (NaN, read as 0) keeps its face
in [FARTHEST_FACE, 1], so the background stays apart from the farthest face point; a backend
that marks none spans [0, 1]. numpy only, imported on use: the workflow reads MAPS_VERSION
from here without numpy."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import h5py
    import numpy as np

# The version of the maps every backend makes. Bump it whenever a backend's maps change (their
# range, a model's precision or resizing, ...): rule estimate_depth takes it as a param, so
# Snakemake reruns the depth stage and everything downstream of it.
MAPS_VERSION = 2
# The farthest face point of a background-marking backend. Its background reads as 0, so the
# face's outline stays a step of at least 0.1 (far above float16's resolution there, 6e-5),
# while 90 % of the range is left to the face's relief; the map stays in [0, 1], where the
# pixel-space attacks of the `perturb` depth input clip it.
FARTHEST_FACE = 0.1
# The dataset of maps in a depth file.
DEPTH_DATASET = "depth"
CONVENTION = ("relative depth in [0, 1] per crop, 1 = nearest; NaN = no depth (background), "
              f"where a backend marks it, its face then in [{FARTHEST_FACE}, 1]")
# The HDF5 attributes of a depth dataset saying whether its backend marks background as NaN,
# and which MAPS_VERSION made its maps.
NAN_BACKGROUND_ATTR = "nan_background"
MAPS_VERSION_ATTR = "maps_version"
# Rows named per error before "...".
EXAMPLES = 5


class DepthValueError(ValueError):
    """Depth maps holding values the convention does not allow."""


def check_convention(maps: np.ndarray, nan_background: bool, where: str,
                     rows: np.ndarray | None = None) -> None:
    """Refuse maps (N, S, S) with values the `CONVENTION` does not allow: infinities, finite
    values outside [0, 1], and NaN from a backend that marks no background. The error names
    `where` the maps come from, their `rows` there (default 0..N-1) and the counts."""
    import numpy as np

    maps = np.asarray(maps)
    values = maps.reshape(len(maps), int(np.prod(maps.shape[1:])))
    nan, inf = np.isnan(values), np.isinf(values)
    with np.errstate(invalid="ignore"):
        outside = ~nan & ~inf & ((values < 0) | (values > 1))
    counts = {"infinite": inf, "outside [0, 1]": outside,
              **({} if nan_background else {"NaN (its backend marks no background)": nan})}
    bad = np.any([found.any(axis=1) for found in counts.values()], axis=0)
    if not bad.any():
        return
    rows = np.arange(len(values)) if rows is None else np.asarray(rows)
    named = ", ".join(map(str, rows[bad][:EXAMPLES])) + (", ..." if bad.sum() > EXAMPLES else "")
    found = ", ".join(f"{int(mask.sum())} {what}" for what, mask in counts.items() if mask.any())
    raise DepthValueError(f"{where}: {int(bad.sum())} depth map(s) hold values the convention "
                          f"({CONVENTION}) does not allow: {found} value(s), in row(s) {named}")


def stored_nan_background(handle: h5py.File, path: str | os.PathLike) -> bool:
    """Whether the maps of a depth file (open as `handle`) may hold NaN background."""
    from depthfake.storage.files import UnreadableFileError

    attributes = handle[DEPTH_DATASET].attrs
    if NAN_BACKGROUND_ATTR not in attributes:
        raise UnreadableFileError(f"{path} does not say whether its depth backend marks "
                                  f"background ('{NAN_BACKGROUND_ATTR}'): it was made by an "
                                  "older version; delete it and rerun, and the workflow "
                                  "rebuilds it.")
    return bool(attributes[NAN_BACKGROUND_ATTR])
