"""A look at what the detectors are fed: test crops beside their depth maps from every backend.

Takes the first frame with a face of a few test videos of each kind; one row per crop, one
column per depth backend (1 = nearest, light; background, where a backend marks it, grey).
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the file backend
import pandas as pd  # noqa: E402

from depthfake.files import read_parquet  # noqa: E402
from depthfake.h5store import open_h5  # noqa: E402
from depthfake.steps import atomic_output, setup_logging, step_parser  # noqa: E402

log = logging.getLogger(__name__)


def sample_rows(index: pd.DataFrame, per_kind: int) -> pd.DataFrame:
    """The first face of `per_kind` videos, from the test split when it has faces."""
    faces = index[index["has_face"]]
    test = faces[faces["split"] == "test"]
    firsts = (test if len(test) else faces).groupby("video", sort=True).head(1)
    return firsts.head(per_kind)


def depth_figure(faces_files: list[Path], index_files: list[Path], backends: list[str],
                 depth_files: list[Path], per_kind: int, out: Path) -> int:
    """Draw the figure; `depth_files` are backend-major (every faces file for the first
    backend, then the second...). Returns the number of crops shown."""
    if len(depth_files) != len(backends) * len(faces_files):
        raise ValueError(f"{len(depth_files)} depth files for {len(backends)} backends x "
                         f"{len(faces_files)} crop files")
    panels = []  # (label, crop, [map per backend])
    for position, (faces_file, index_file) in enumerate(zip(faces_files, index_files,
                                                            strict=True)):
        rows = sample_rows(read_parquet(index_file), per_kind)
        with open_h5(faces_file) as faces:
            crops = [faces["crops"][row] for row in rows["row"]]
        maps = []
        for number in range(len(backends)):
            with open_h5(depth_files[number * len(faces_files) + position]) as depth:
                maps.append([depth["depth"][row] for row in rows["row"]])
        panels += [(f"{kind}\n{video}", crop, [m[i] for m in maps]) for i, (kind, video, crop)
                   in enumerate(zip(rows["kind"], rows["video"], crops, strict=True))]
    figure = plot(panels, backends)
    with atomic_output(out) as tmp:
        figure.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    log.info("%d crops x %d depth backends drawn", len(panels), len(backends))
    return len(panels)


def plot(panels: list, backends: list[str]) -> plt.Figure:
    columns = 1 + len(backends)
    figure, axes = plt.subplots(max(1, len(panels)), columns, squeeze=False,
                                figsize=(2 * columns, 2 * max(1, len(panels))))
    figure.suptitle("relative depth: light = near, dark = far, grey = background", fontsize=9)
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


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--faces", type=Path, nargs="+", required=True,
                        help="crop HDF5 files, one per video kind")
    parser.add_argument("--index", type=Path, nargs="+", required=True,
                        help="their Parquet indices, in the same order")
    parser.add_argument("--backends", nargs="+", required=True, help="depth backend names")
    parser.add_argument("--depth", type=Path, nargs="+", required=True,
                        help="depth HDF5 files: for each backend, one per --faces file")
    parser.add_argument("--per-kind", type=int, default=2, help="crops shown per video kind")
    parser.add_argument("--out", type=Path, required=True, help="PNG file")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    depth_figure(args.faces, args.index, args.backends, args.depth, args.per_kind, args.out)


if __name__ == "__main__":
    main()
