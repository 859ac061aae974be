"""The paper's tables from the cell metrics (depthfake.metrics): Markdown with the best in bold.

A row is a (model, backbone, depth backend); a column a (test data set, compression,
forgery) and a metric. With several seeds a cell is the mean ± standard deviation over seeds.
Accuracies are shown in %; the ACC header of a column gives its all-fake rate (the share of
fake faces: the accuracy of always saying fake), which is never bold.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from depthfake.metrics import CELL, COLUMN, ROW

SHOWN = {"frame_accuracy": "ACC %", "frame_auc": "AUC", "video_auc": "video AUC"}
COUNTS = ["faces", "videos", "real_videos", "fake_videos"]
FAKE_SHARE = "frame_fake_share"


def over_seeds(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation (ddof 1; NaN with one seed) of each metric over seeds,
    the number of seeds and the fewest faces of any seed."""
    keys = [c for c in CELL if c != "seed"]
    grouped = metrics.groupby(keys, sort=False)
    summary = grouped[[c for c in metrics if c not in {*CELL, *COUNTS}]].agg(["mean", "std"])
    summary.columns = [f"{metric}_{stat}" for metric, stat in summary.columns]
    return summary.assign(seeds=grouped.size(), faces=grouped["faces"].min()).reset_index()


def wide_table(summary: pd.DataFrame, rows: list[tuple], columns: list[tuple],
               metrics: Sequence[str] = (*SHOWN, FAKE_SHARE)) -> pd.DataFrame:
    """One row per (model, backbone, depth); one column per (metric_statistic, test data
    set, compression, forgery), statistic mean or std."""
    values = [f"{m}_{s}" for m in metrics for s in ("mean", "std")]
    table = summary.pivot_table(index=ROW, columns=COLUMN, values=values, dropna=False)
    return table.reindex(index=pd.MultiIndex.from_tuples(rows, names=ROW),
                         columns=pd.MultiIndex.from_tuples([(v, *c) for c in columns
                                                            for v in values]))


def _format(metric: str, mean: float, std: float) -> str:
    if pd.isna(mean):
        return "n/a"
    scale, digits = (100, 2) if "accuracy" in metric else (1, 3)
    return f"{scale * mean:.{digits}f}" + ("" if pd.isna(std) else f" ± {scale * std:.{digits}f}")


def _header(table: pd.DataFrame, column: tuple, metric: str, label: str) -> str:
    """The label, and beside accuracy the column's all-fake rate (a range if rows differ)."""
    key = (f"{FAKE_SHARE}_mean", *column)
    if metric != "frame_accuracy" or key not in table or table[key].isna().all():
        return label
    low, high = (f"{100 * table[key].agg(f):.0f}" for f in ("min", "max"))
    return f"{label} (all-fake {low if low == high else f'{low}-{high}'} %)"


def to_markdown(table: pd.DataFrame, columns: list[tuple], labels: dict[str, str] = SHOWN,
                bold: bool = True) -> str:
    """A Markdown table of the metrics in labels (name -> header); with bold, the best mean
    of each column is bold (ties all bold)."""
    show_dataset = len({c[0] for c in columns}) > 1
    header = [*ROW] + [" ".join([*(c[:1] if show_dataset else []), *c[1:],
                                 _header(table, c, metric, label)])
                       for c in columns for metric, label in labels.items()]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row_key, row in table.iterrows():
        cells = list(row_key)
        for column in columns:
            for metric in labels:
                mean, std = row[(f"{metric}_mean", *column)], row[(f"{metric}_std", *column)]
                text = _format(metric, mean, std)
                best = table[(f"{metric}_mean", *column)].max()
                cells.append(f"**{text}**" if bold and not pd.isna(mean) and mean == best
                             else text)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plain_markdown(table: pd.DataFrame, digits: int = 3) -> str:
    """A Markdown table of a flat DataFrame, its columns as headers; floats to `digits`."""
    def text(value: object) -> str:
        if isinstance(value, float):
            return "n/a" if pd.isna(value) else f"{value:.{digits}g}"
        return str(value)

    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * table.shape[1]]
    lines += ["| " + " | ".join(map(text, row)) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)
