"""The one depth convention of every backend, and the check of maps against it: relative depth
in [0, 1] per crop, 1 = nearest, NaN only where a backend marks background. numpy only: the
report's steps read depth with it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from depthfake.storage.files import UnreadableFileError

if TYPE_CHECKING:
    import h5py

# The dataset of maps in a depth file.
DEPTH_DATASET = "depth"
CONVENTION = "relative depth in [0, 1] per crop, 1 = nearest; NaN = no depth (background)"
# The HDF5 attribute of a depth dataset saying whether its backend marks background as NaN.
NAN_BACKGROUND_ATTR = "nan_background"
# Rows named per error before "...".
EXAMPLES = 5


class DepthValueError(ValueError):
    """Depth maps holding values the convention does not allow."""


def check_convention(maps: np.ndarray, nan_background: bool, where: str,
                     rows: np.ndarray | None = None) -> None:
    """Refuse maps (N, S, S) with values the `CONVENTION` does not allow: infinities, finite
    values outside [0, 1], and NaN from a backend that marks no background. The error names
    `where` the maps come from, their `rows` there (default 0..N-1) and the counts."""
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
    attributes = handle[DEPTH_DATASET].attrs
    if NAN_BACKGROUND_ATTR not in attributes:
        raise UnreadableFileError(f"{path} does not say whether its depth backend marks "
                                  f"background ('{NAN_BACKGROUND_ATTR}'): it was made by an "
                                  "older version; delete it and rerun, and the workflow "
                                  "rebuilds it.")
    return bool(attributes[NAN_BACKGROUND_ATTR])
