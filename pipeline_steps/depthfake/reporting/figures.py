"""The result figures (severity curves, ROC curves, video scores), each a PNG with the data
it draws beside it as CSV; the step `figures` writes them."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from depthfake.evaluation.cell_stats import clean_predictions
from depthfake.evaluation.conditions import SWEPT
from depthfake.evaluation.metrics import COLUMN, THRESHOLD, compression_labels, labelled
from depthfake.reporting.figure_data import (
    MODEL,
    positions,
    roc_points,
    severity_curves,
    video_scores,
)
from depthfake.reporting.plots import panel_grid, plt, save_figure
from depthfake.reporting.text import DEPTH_INPUTS
from depthfake.settings import NO_DEPTH
from depthfake.storage.files import read_csv, read_parquet

log = logging.getLogger(__name__)
METRIC_LABELS = {"frame_accuracy": "frame accuracy", "frame_auc": "frame AUC"}
PANEL = (2.8, 2.2)  # inches per panel, without its labels


def model_labels(keys: list[tuple]) -> dict[tuple, str]:
    """Short names of model keys (model, backbone, depth, depth input): the model, then only
    the parts that differ between the keys, and the depth input of depth-reading models."""
    varying = [len({key[i] for key in keys} - {NO_DEPTH}) > 1 for i in (1, 2)]
    labels = {}
    for key in keys:
        parts = [part for part, shown in zip(key[1:3], varying, strict=True)
                 if shown and part != NO_DEPTH]
        if key[3] != NO_DEPTH:
            parts.append(DEPTH_INPUTS.get(key[3], key[3]))
        labels[key] = ", ".join([key[0], *parts])
    return labels


def column_label(key: tuple) -> str:
    return " / ".join(str(part) for part in key)


def keys(table: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """The distinct values of `columns` in `table`, in order of appearance."""
    return list(positions(table, columns))


def rows_of(table: pd.DataFrame, columns: list[str], key: tuple) -> pd.DataFrame:
    return table[(table[columns] == pd.Series(key, index=columns)).all(axis=1)]


def panels(rows: int, columns: int, title: str, bottom: float = 0.0
           ) -> tuple[plt.Figure, np.ndarray]:
    return panel_grid(rows, columns, title, PANEL, bottom=bottom)


def empty_figure(title: str, message: str) -> plt.Figure:
    figure, axes = panels(1, 1, title)
    axes[0, 0].axis("off")
    axes[0, 0].text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return figure


def severity_figure(curves: pd.DataFrame, mode: str) -> plt.Figure:
    """Rows: attack x metric; columns: table columns; a line and band per model."""
    title = (f"Metrics against attack severity, depth mode {mode} (bands: the tables' "
             "intervals, over clusters of test videos and training seeds)")
    if curves.empty:
        return empty_figure(title, "no severity sweeps configured (evaluate.sweeps)")
    cells, plots = keys(curves, COLUMN), keys(curves, ["attack", "metric"])
    labels = model_labels(keys(curves, MODEL))
    figure, axes = panels(len(plots), len(cells), title, bottom=0.3)
    for ((attack, metric), cell), axis in zip(
            [(p, c) for p in plots for c in cells], axes.flat, strict=True):
        part = rows_of(curves, [*COLUMN, "attack", "metric"], (*cell, attack, metric))
        for key, label in labels.items():
            line = rows_of(part, MODEL, key)
            drawn = axis.plot(line["level"], line["value"], marker="o", markersize=3,
                              label=label)
            axis.fill_between(line["level"], line["low"], line["high"], alpha=0.2,
                              color=drawn[0].get_color(), linewidth=0)
        axis.set_title(column_label(cell), fontsize=8)
        axis.set_xlabel(f"{attack} {SWEPT[attack]}", fontsize=8)
        axis.set_ylabel(METRIC_LABELS[metric], fontsize=8)
        axis.set_ylim(0, 1.02)
        axis.tick_params(labelsize=7)
    figure.legend(*axes.flat[0].get_legend_handles_labels(), loc="lower center",
                  bbox_to_anchor=(0.5, 0.25 / figure.get_figheight()), ncols=len(labels),
                  fontsize=7, frameon=False)
    return figure


def roc_figure(points: pd.DataFrame) -> plt.Figure:
    """A panel per table column; a curve per model and seed, its AUC in the legend."""
    title = "ROC curves on the clean test set (frame level)"
    if points.empty:
        return empty_figure(title, "no column has both real and fake test faces")
    cells = keys(points, COLUMN)
    labels = model_labels(keys(points, MODEL))
    several_seeds = points["seed"].nunique() > 1
    figure, axes = panels(1, len(cells), title)
    for cell, axis in zip(cells, axes.flat, strict=True):
        part = rows_of(points, COLUMN, cell)
        for key in keys(part, [*MODEL, "seed"]):
            curve = rows_of(part, [*MODEL, "seed"], key)
            seed = f", seed {key[-1]}" if several_seeds else ""
            axis.plot(curve["fpr"], curve["tpr"], linewidth=1.2,
                      label=f"{labels[key[:-1]]}{seed}: {curve['auc'].iloc[0]:.3f}")
        axis.plot([0, 1], [0, 1], color="0.7", linestyle=":", linewidth=0.8)
        axis.set_title(column_label(cell), fontsize=8)
        axis.set_xlabel("false positive rate", fontsize=8)
        axis.set_ylabel("true positive rate", fontsize=8)
        axis.tick_params(labelsize=7)
        axis.legend(title="AUC", title_fontsize=6, fontsize=6, loc="lower right")
    return figure


def scores_figure(scores: pd.DataFrame) -> plt.Figure:
    """A panel per table column; per model, its real videos' scores beside its fakes'."""
    cells = keys(scores, COLUMN)
    labels = model_labels(keys(scores, MODEL))
    figure, axes = panel_grid(1, len(cells), "Each test video's mean fake probability (clean "
                              f"test set; dashed: the threshold {THRESHOLD})", PANEL,
                              margins=(0.6, 0.2, 0.35, 0.9))
    jitter = np.random.default_rng(0)
    for cell, axis in zip(cells, axes.flat, strict=True):
        part = rows_of(scores, COLUMN, cell)
        for position, key in enumerate(labels):
            videos = rows_of(part, MODEL, key)
            for label, offset, colour in ((0, -0.17, "tab:blue"), (1, 0.17, "tab:red")):
                values = videos.loc[videos["label"] == label, "prob_fake"]
                axis.scatter(position + offset + jitter.uniform(-0.06, 0.06, len(values)),
                             values, s=9, color=colour, alpha=0.7,
                             label=("real", "fake")[label] if position == 0 else None)
        axis.axhline(THRESHOLD, color="0.5", linestyle="--", linewidth=0.8)
        axis.set_xticks(range(len(labels)), list(labels.values()), rotation=20, ha="right",
                        fontsize=7)
        axis.set_ylim(-0.02, 1.02)
        axis.set_title(column_label(cell), fontsize=8)
        axis.set_ylabel("video's mean p(fake)", fontsize=8)
        axis.tick_params(axis="y", labelsize=7)
    axes.flat[0].legend(fontsize=6)
    return figure


def make_figures(predictions: pd.DataFrame, robustness: dict[str, pd.DataFrame],
                 out_dir: Path) -> None:
    """severity_<mode>, roc and scores, as .png and .csv, in `out_dir`; ROC curves and scores
    of the clean test set, as the detection table has it. Columns are named as the tables name
    them (compression_labels)."""
    modes = list(robustness)
    predictions = labelled(predictions, compression_labels(predictions))
    for mode, table in robustness.items():
        curves = severity_curves(table, mode)
        save_figure(severity_figure(curves, mode), out_dir / f"severity_{mode}.png", curves,
                    out_dir / f"severity_{mode}.csv")
    clean = clean_predictions(predictions)
    points = roc_points(clean)
    save_figure(roc_figure(points), out_dir / "roc.png", points, out_dir / "roc.csv")
    scores = video_scores(clean)
    save_figure(scores_figure(scores), out_dir / "scores.png", scores, out_dir / "scores.csv")
    log.info("figures of %d depth modes, %d ROC curves and %d video scores", len(modes),
             points.groupby([*COLUMN, *MODEL, "seed"]).ngroups, len(scores))


def make_figures_from_files(prediction_files: list[Path], *, robustness: list[Path],
                            depth_modes: list[str], out_dir: Path) -> None:
    """`make_figures` of evaluate's Parquet files and the tables' CSVs, one
    `robustness_<mode>.csv` per entry of `depth_modes`, in its order."""
    predictions = pd.concat([read_parquet(p) for p in prediction_files], ignore_index=True)
    make_figures(predictions, {mode: read_csv(path) for mode, path in zip(
        depth_modes, robustness, strict=True)}, out_dir)
