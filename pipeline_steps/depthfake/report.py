"""Metrics per grid cell and the paper's two tables (Markdown with the best in bold, CSV)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

CELL = ["model", "forgery", "compression", "condition", "depth_mode"]
METRICS = {"accuracy": "ACC %", "auc": "AUC"}


def cell_metrics(predictions: pd.DataFrame) -> pd.DataFrame:
    """Frame-level accuracy (threshold 0.5, in %) and ROC AUC of every cell and condition."""
    def score(group: pd.DataFrame) -> pd.Series:
        labels, probs = group["label"].to_numpy(), group["prob_fake"].to_numpy()
        auc = roc_auc_score(labels, probs) if len(np.unique(labels)) == 2 else np.nan
        return pd.Series({"faces": len(group),
                          "accuracy": 100.0 * float(((probs >= 0.5) == labels).mean()),
                          "auc": auc})

    return predictions.groupby(CELL, sort=False)[["label", "prob_fake"]].apply(score).reset_index()


def wide_table(metrics: pd.DataFrame, compressions: list[str], forgeries: list[str],
               models: list[str]) -> pd.DataFrame:
    """One row per model; one column per (compression, forgery, metric)."""
    table = metrics.pivot_table(index="model", columns=["compression", "forgery"],
                                values=list(METRICS))
    table = table.reorder_levels([1, 2, 0], axis=1)
    columns = [(c, f, m) for c in compressions for f in forgeries for m in METRICS]
    return table.reindex(index=models, columns=pd.MultiIndex.from_tuples(columns))


def to_markdown(table: pd.DataFrame) -> str:
    """A Markdown table; the best value of each column is bold (ties all bold)."""
    header = ["model"] + [f"{c} {f} {METRICS[m]}" for c, f, m in table.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    best = table.max(axis=0)
    for model, row in table.iterrows():
        cells = [model]
        for column, value in row.items():
            text = "n/a" if pd.isna(value) else (
                f"{value:.2f}" if column[2] == "accuracy" else f"{value:.3f}")
            cells.append(f"**{text}**" if not pd.isna(value) and value == best[column] else text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
