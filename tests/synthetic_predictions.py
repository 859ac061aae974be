"""Predictions of two seeds of an RGB baseline and an MDN (on each depth input) for four
table columns under four conditions, with known skill, in the evaluate step's layout (the MDN's
clean faces on its stored maps, `estimated`, on re-estimated depth and on zeros; `perturb` only
attacked): what the table and figure tests read; and the same again as if tested on Celeb-DF as
well."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from depthfake.evaluation.cell_stats import column_statistics
from depthfake.reporting.tables import make_tables
from depthfake.settings import BootstrapSettings, MarkSettings

ROWS = [("rgb", "mobilenetv2_050", "none"), ("mdn", "mobilenetv2_050", "landmark_mesh")]
COLUMNS = [("demo", c, f) for c in ("raw", "c40") for f in ("FaceSwap", "ALL")]
VIDEO_LABELS = np.array([0, 1, 0, 1, 1, 0, 1, 1])  # 8 test videos of 5 frames, 5 fake
CLUSTERS = np.array(["p0", "p0", "p1", "p1", "p2", "p2", "p3", "p3"])  # pairs of videos
FRAMES = 5
CONDITIONS = ("clean", "BLR", "NSE", "NSE@0.05")
# (model, depth input): how well it separates
SKILL = {("rgb", "none"): 0.2, ("mdn", "estimated"): 0.4, ("mdn", "recompute"): 0.35,
         ("mdn", "perturb"): 0.3, ("mdn", "zero"): 0.05}
# The conditions each depth input is evaluated under, as the evaluate step runs them.
EVALUATED = {"estimated": CONDITIONS[:1], "perturb": CONDITIONS[1:]}
# (model, depth input, condition) evaluated, per seed and column
EVALUATIONS = sum(len(EVALUATED.get(depth_input, CONDITIONS)) for _, depth_input in SKILL)


def synthetic_predictions() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    labels = np.repeat(VIDEO_LABELS, FRAMES)
    rows = []
    depths = dict(rgb="none", mdn="landmark_mesh")
    for (model, depth_input), skill in SKILL.items():
        for seed in (1, 2):
            for _, compression, forgery in COLUMNS:
                fakes = ["FaceSwap", "Face2Face"] if forgery == "ALL" else [forgery]
                kinds = ["real" if label == 0 else fakes[i % len(fakes)]
                         for i, label in enumerate(VIDEO_LABELS)]
                for condition in EVALUATED.get(depth_input, CONDITIONS):
                    probs = np.clip(0.5 + skill * (2 * labels - 1) + rng.normal(0, 0.2, 40), 0, 1)
                    rows.append(pd.DataFrame(dict(
                        dataset="demo", test_dataset="demo", model=model,
                        backbone="mobilenetv2_050", depth=depths[model], seed=seed,
                        forgery=forgery, compression=compression,
                        test_compression=compression, condition=condition,
                        depth_input=depth_input, depth_lost=rng.uniform(size=40) < 0.1,
                        video=np.repeat([f"{i:03d}" for i in range(8)], FRAMES),
                        kind=np.repeat(kinds, FRAMES), cluster=np.repeat(CLUSTERS, FRAMES),
                        frame=np.tile(np.arange(FRAMES), 8),
                        label=labels, prob_fake=probs)))
    return pd.concat(rows, ignore_index=True)


# The columns of with_celebdf: the demo's, then Celeb-DF's at each training compression.
CROSS_COLUMNS = [*COLUMNS, *(("celebdf", c, f) for _, c, f in COLUMNS)]


def with_celebdf(predictions: pd.DataFrame) -> pd.DataFrame:
    """The predictions, and the same as if tested on Celeb-DF: one quality (test compression
    none), and its one forgery."""
    celebdf = predictions.assign(test_dataset="celebdf", test_compression="none",
                                 kind=predictions["kind"].where(predictions["label"] == 0,
                                                                "Celeb-synthesis"))
    return pd.concat([predictions, celebdf], ignore_index=True)


def tables_of(predictions: pd.DataFrame, columns: list[tuple], modes: list[str], out: Path, *,
              seed: int = 1, marks: MarkSettings | None = None) -> pd.DataFrame:
    """The column statistics (300 replicates) and the tables of synthetic predictions, as the
    column_statistics and tables steps make them; returns the tables' cells."""
    statistics = column_statistics(predictions, BootstrapSettings(resamples=300, seed=seed))
    return make_tables(statistics, ROWS, columns, modes, out,
                       layouts=dict.fromkeys(statistics["test_dataset"], "ffpp"),
                       marks=marks or MarkSettings())
