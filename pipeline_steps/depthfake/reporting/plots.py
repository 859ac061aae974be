"""Figures as files: matplotlib without a screen, a grid of panels with fixed margins (no
layout engine: drawing twice to fit text costs seconds), PNGs written atomically with the
provenance in their footer, and the data behind each written beside it as CSV."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
# Labels hold video ids and paths: text, never mathtext (a "$" in a name stays a "$").
matplotlib.rcParams["text.parse_math"] = False
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the file backend
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from depthfake.plan.provenance import origin_line  # noqa: E402
from depthfake.storage.atomic import atomic_output  # noqa: E402
from depthfake.storage.files import write_csv  # noqa: E402

__all__ = ["panel_grid", "plt", "save_figure"]

DPI = 100
TITLE_INCHES = 0.45  # above the panels: the figure's title
FOOTER_INCHES = 0.25  # below everything: the provenance


def panel_grid(rows: int, columns: int, title: str, panel: tuple[float, float], *,
               margins: tuple[float, float, float, float] = (0.6, 0.2, 0.35, 0.5),
               bottom: float = 0.0) -> tuple[plt.Figure, np.ndarray]:
    """A figure of rows x columns panels of `panel` (width, height) inches, each with
    `margins` (left, right, top, bottom) inches for its labels, `bottom` more inches below
    the grid (a legend), the title above and room for the footer."""
    left, right, top, below = margins
    width = columns * (panel[0] + left + right)
    height = (rows * (panel[1] + top + below) + TITLE_INCHES + FOOTER_INCHES + bottom)
    figure, axes = plt.subplots(rows, columns, squeeze=False, figsize=(width, height))
    figure.subplots_adjust(
        left=left / width, right=1 - right / width,
        top=1 - (TITLE_INCHES + top) / height,
        bottom=(FOOTER_INCHES + bottom + below) / height,
        wspace=(left + right) / panel[0], hspace=(top + below) / panel[1])
    figure.suptitle(title, fontsize=10, y=1 - 0.1 / height, va="top")
    return figure, axes


def save_figure(figure: plt.Figure, png: str | os.PathLike, data: pd.DataFrame | None = None,
                csv: str | os.PathLike | None = None) -> None:
    """Write `figure` as a PNG whose footer names the code and config it came from, and
    `data`, what it draws, as a CSV (with the same provenance line)."""
    height = figure.get_figheight()
    figure.text(0.5, 0.05 / height, origin_line(), ha="center", va="bottom", fontsize=6,
                color="0.4")
    with atomic_output(png) as tmp:
        figure.savefig(tmp, format="png", dpi=DPI)
    plt.close(figure)
    if csv is not None:
        write_csv(csv, data)
