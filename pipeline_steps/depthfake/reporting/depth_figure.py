"""The depth figure: test crops beside their depth maps from every backend, with what each
drawn map holds; the step `depth_figure` writes it."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from depthfake.depth.convention import check_convention, stored_nan_background
from depthfake.reporting.plots import panel_grid, plt, save_figure
from depthfake.reporting.samples import first_faces
from depthfake.storage.files import read_parquet
from depthfake.storage.h5 import open_h5

log = logging.getLogger(__name__)


def depth_figure(faces_files: list[Path], index_files: list[Path], *, backends: list[str],
                 depth_files: list[Path], per_kind: int, out: Path, out_data: Path
                 ) -> pd.DataFrame:
    """Draw the figure and write what it shows (`map_statistics`); `depth_files` are
    backend-major (every faces file for the first backend, then the second...)."""
    if len(depth_files) != len(backends) * len(faces_files):
        raise ValueError(f"{len(depth_files)} depth files for {len(backends)} backends x "
                         f"{len(faces_files)} crop files")
    panels, shown = [], []  # (label, crop, [map per backend]); the rows drawn
    for position, (faces_file, index_file) in enumerate(zip(faces_files, index_files,
                                                            strict=True)):
        rows = first_faces(read_parquet(index_file), per_kind)
        with open_h5(faces_file) as faces:
            crops = [faces["crops"][row] for row in rows["row"]]
        maps = []
        for number in range(len(backends)):
            path = depth_files[number * len(faces_files) + position]
            with open_h5(path) as depth:
                stored = depth["depth"]
                maps.append(np.array([stored[row] for row in rows["row"]], stored.dtype)
                            .reshape(-1, *stored.shape[1:]))
                check_convention(maps[-1], stored_nan_background(depth, path), str(path),
                                 rows["row"].to_numpy())
        panels += [(f"{kind}\n{video}", crop, [m[i] for m in maps]) for i, (kind, video, crop)
                   in enumerate(zip(rows["kind"], rows["video"], crops, strict=True))]
        shown += [map_statistics(row, backend, m[i]) for i, row in enumerate(rows.itertuples())
                  for backend, m in zip(backends, maps, strict=True)]
    data = pd.DataFrame(shown)
    save_figure(plot(panels, backends), out, data, out_data)
    log.info("%d crops x %d depth backends drawn", len(panels), len(backends))
    return data


def map_statistics(row, backend: str, depth: np.ndarray) -> dict:
    """What one drawn map holds: its face (video, kind, frame), its backend, the share of
    its pixels that are face (not background) and the range of their depth."""
    values = depth.astype("float32")
    face = values[np.isfinite(values)]
    return {"video": row.video, "kind": row.kind, "frame": row.frame, "backend": backend,
            "face_share": face.size / values.size,
            "depth_min": face.min() if face.size else np.nan,
            "depth_max": face.max() if face.size else np.nan}


def plot(panels: list, backends: list[str]) -> plt.Figure:
    columns = 1 + len(backends)
    figure, axes = panel_grid(max(1, len(panels)), columns, "relative depth: light = near, "
                              "dark = far, grey = background", (1.6, 1.6),
                              margins=(0.45, 0.05, 0.3, 0.05))
    colours = plt.get_cmap("magma").with_extremes(bad="0.6")
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
    for column, title in enumerate(["crop", *backends]):
        axes[0, column].set_title(title, fontsize=9)
    for row, (label, crop, maps) in enumerate(panels):
        axes[row, 0].imshow(crop)
        axes[row, 0].set_ylabel(label, fontsize=7)
        for column, depth in enumerate(maps, start=1):
            axes[row, column].imshow(depth.astype("float32"), cmap=colours, vmin=0, vmax=1)
    return figure
