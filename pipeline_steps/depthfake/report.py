"""Metrics per grid cell and the paper's tables (Markdown with the best in bold, CSV).

A row is a (model, backbone, depth backend); a column a (test data set, compression,
forgery, metric). With several seeds a cell is the mean ± standard deviation over seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

ROW = ["model", "backbone", "depth"]
COLUMN = ["test_dataset", "compression", "forgery"]
CELL = ["dataset", *COLUMN, *ROW, "seed", "condition", "depth_mode"]
METRICS = {"accuracy": "ACC %", "auc": "AUC"}


def cell_metrics(predictions: pd.DataFrame) -> pd.DataFrame:
    """Frame-level accuracy (threshold 0.5, in %) and ROC AUC of every cell, seed and
    condition."""
    def score(group: pd.DataFrame) -> pd.Series:
        labels, probs = group["label"].to_numpy(), group["prob_fake"].to_numpy()
        auc = roc_auc_score(labels, probs) if len(np.unique(labels)) == 2 else np.nan
        return pd.Series({"faces": len(group),
                          "accuracy": 100.0 * float(((probs >= 0.5) == labels).mean()),
                          "auc": auc})

    return predictions.groupby(CELL, sort=False)[["label", "prob_fake"]].apply(score).reset_index()


def over_seeds(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation (ddof 1; NaN with one seed) of each metric over seeds."""
    keys = [c for c in CELL if c != "seed"]
    grouped = metrics.groupby(keys, sort=False)
    summary = grouped[list(METRICS)].agg(["mean", "std"])
    summary.columns = [f"{metric}_{stat}" for metric, stat in summary.columns]
    return summary.assign(seeds=grouped.size(), faces=grouped["faces"].min()).reset_index()


def wide_table(summary: pd.DataFrame, rows: list[tuple], columns: list[tuple]) -> pd.DataFrame:
    """One row per (model, backbone, depth); one column per (test data set, compression,
    forgery, metric) and statistic (mean, std)."""
    table = summary.pivot_table(index=ROW, columns=COLUMN,
                                values=[f"{m}_{s}" for m in METRICS for s in ("mean", "std")],
                                dropna=False)
    wanted = [(f"{m}_{s}", *c) for c in columns for m in METRICS for s in ("mean", "std")]
    table = table.reindex(index=pd.MultiIndex.from_tuples(rows, names=ROW),
                          columns=pd.MultiIndex.from_tuples(wanted))
    return table


def _format(metric: str, mean: float, std: float) -> str:
    if pd.isna(mean):
        return "n/a"
    digits = 2 if metric == "accuracy" else 3
    return f"{mean:.{digits}f}" + ("" if pd.isna(std) else f" ± {std:.{digits}f}")


def to_markdown(table: pd.DataFrame, columns: list[tuple]) -> str:
    """A Markdown table; the best mean of each column is bold (ties all bold)."""
    show_dataset = len({c[0] for c in columns}) > 1
    header = [*ROW] + [" ".join([*(c[:1] if show_dataset else []), *c[1:], label])
                       for c in columns for label in METRICS.values()]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row_key, row in table.iterrows():
        cells = list(row_key)
        for column in columns:
            for metric in METRICS:
                mean, std = row[(f"{metric}_mean", *column)], row[(f"{metric}_std", *column)]
                text = _format(metric, mean, std)
                best = table[(f"{metric}_mean", *column)].max()
                cells.append(f"**{text}**" if not pd.isna(mean) and mean == best else text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
