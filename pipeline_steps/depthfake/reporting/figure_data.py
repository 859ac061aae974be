"""What the result figures draw, as tables (each figure's CSV): metrics against attack
severity with their intervals, ROC curves, and per-video scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_curve

from depthfake.evaluation.conditions import CLEAN, SEPARATOR, UNCHANGED_AT, parse_condition
from depthfake.evaluation.metrics import COLUMN, ROW, video_level
from depthfake.settings import CLEAN_REFERENCE

MODEL = [*ROW, "depth_input"]
SEVERITY_METRICS = ["frame_accuracy", "frame_auc"]


def severity_curves(robustness: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Per column, model, swept attack and metric, one row per level: the value and its
    interval, from a robustness table's cells. The mode's clean reference is each curve's
    level where the attack changes nothing (none for JPG): under `recompute`, depth
    re-estimated from the clean crop; under `perturb`, the stored maps."""
    swept = robustness[robustness["condition"].str.contains(SEPARATOR, regex=False)]
    attacks = pd.unique(swept["condition"].map(lambda c: parse_condition(c)[0]))
    clean = robustness[robustness["condition"] == CLEAN].replace(
        {"depth_input": {CLEAN_REFERENCE[mode]: mode}})
    parts = [swept.assign(attack=swept["condition"].map(lambda c: parse_condition(c)[0]),
                          level=swept["condition"].map(lambda c: parse_condition(c)[1]))]
    parts += [clean.assign(attack=attack, level=UNCHANGED_AT[attack])
              for attack in attacks if attack in UNCHANGED_AT]
    cells = pd.concat(parts, ignore_index=True)
    long = pd.concat([cells[[*COLUMN, *MODEL, "attack", "level"]].assign(
        metric=metric, value=cells[metric], low=cells[f"{metric}_low"],
        high=cells[f"{metric}_high"]) for metric in SEVERITY_METRICS], ignore_index=True)
    order = {"column": positions(robustness, COLUMN), "model": positions(clean, MODEL),
             "attack": {a: i for i, a in enumerate(attacks)},
             "metric": {m: i for i, m in enumerate(SEVERITY_METRICS)}}
    keys = pd.DataFrame({
        "column": [order["column"][k] for k in long[COLUMN].itertuples(index=False, name=None)],
        "attack": long["attack"].map(order["attack"]), "metric": long["metric"].map(
            order["metric"]),
        "model": [order["model"][k] for k in long[MODEL].itertuples(index=False, name=None)],
        "level": long["level"]})
    return long.loc[keys.sort_values(list(keys), kind="stable").index].reset_index(drop=True)


def positions(table: pd.DataFrame, columns: list[str]) -> dict[tuple, int]:
    """Each distinct value of `columns` in `table` and the order it first appears in."""
    return {key: i for i, key in enumerate(dict.fromkeys(
        table[columns].itertuples(index=False, name=None)))}


def roc_points(clean: pd.DataFrame) -> pd.DataFrame:
    """Frame-level ROC curve of every column, model and seed with two classes: false and
    true positive rates at each threshold, and the curve's AUC."""
    curves = []
    for key, frames in clean.groupby([*COLUMN, *MODEL, "seed"], sort=False):
        if frames["label"].nunique() < 2:
            continue
        fpr, tpr, thresholds = roc_curve(frames["label"], frames["prob_fake"])
        curves.append(pd.DataFrame({"fpr": fpr, "tpr": tpr, "threshold": thresholds})
                      .assign(auc=np.trapezoid(tpr, fpr), **dict(zip(
                          [*COLUMN, *MODEL, "seed"], key, strict=True))))
    columns = [*COLUMN, *MODEL, "seed", "auc", "fpr", "tpr", "threshold"]
    return pd.concat(curves, ignore_index=True)[columns] if curves else pd.DataFrame(
        columns=columns)


def video_scores(clean: pd.DataFrame) -> pd.DataFrame:
    """Each test video's mean fake probability, per column, model and seed."""
    keys = [*COLUMN, *MODEL, "seed"]
    return pd.concat([video_level(frames).assign(**dict(zip(keys, key, strict=True)))
                      for key, frames in clean.groupby(keys, sort=False)],
                     ignore_index=True)[[*keys, "video", "kind", "label", "prob_fake"]]
