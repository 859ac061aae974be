"""Which differences from the RGB baseline a table marks.

A difference can be marked only where its cell has two classes, both models at least
`min_seeds` training seeds and the test set at least `min_clusters` clusters with real videos
and as many with fake ones; the others keep their interval, unmarked, with the reason. Of the
markable ones, a table marks those whose p-value (depthfake.evaluation.cell_stats) stays
under 1 - level after Holm's step-down over all of the table's comparisons, every cell and
metric (family_wise: none, each at its own level).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from depthfake.evaluation.bootstrap import SHOWN
from depthfake.settings import MarkSettings


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's adjusted p-values (NaN stays NaN and is not counted as a comparison)."""
    adjusted = np.full(len(p_values), np.nan)
    tested = np.flatnonzero(np.isfinite(p_values))
    order = tested[np.argsort(p_values[tested], kind="stable")]
    scaled = (len(order) - np.arange(len(order))) * p_values[order]
    adjusted[order] = np.minimum(np.maximum.accumulate(scaled), 1.0)
    return adjusted


def unmarked_reason(cell: pd.Series, settings: MarkSettings) -> str:
    """Why a cell's differences cannot be marked, every reason ("": they can)."""
    if cell["one_class"]:
        return "one class"
    seeds = int(min(cell["seeds"], cell["baseline_seeds"]))
    clusters = int(min(cell["real_clusters"], cell["fake_clusters"]))
    reasons = [f"{seeds} seed{'s' * (seeds != 1)} (marks need {settings.min_seeds})"
               if seeds < settings.min_seeds else "",
               f"{clusters} cluster{'s' * (clusters != 1)} of a class (marks need "
               f"{settings.min_clusters})" if clusters < settings.min_clusters else ""]
    return " and ".join(filter(None, reasons))


def mark(table: pd.DataFrame, settings: MarkSettings) -> pd.DataFrame:
    """The table's cells with `unmarked` (unmarked_reason; "" for the baseline), and per shown
    metric `_p_adjusted` and `_significant`, over all of the table's comparisons."""
    compared = table["baseline_seeds"].notna()
    reasons = [unmarked_reason(cell, settings) if has else ""
               for has, (_, cell) in zip(compared, table.iterrows(), strict=True)]
    table = table.assign(unmarked=reasons)
    markable = compared & (table["unmarked"] == "")
    p_values = np.concatenate([table[f"{m}_p"].where(markable).to_numpy(float) for m in SHOWN])
    adjusted = holm(p_values) if settings.family_wise == "holm" else p_values
    alpha = 1 - table["confidence"].to_numpy(float)
    for i, metric in enumerate(SHOWN):
        column = adjusted[i * len(table):(i + 1) * len(table)]
        table[f"{metric}_p_adjusted"] = column
        table[f"{metric}_significant"] = np.nan_to_num(column, nan=1.0) < alpha
    return table
