"""The figures draw the tables' numbers: severity curves with their intervals, ROC curves and
per-video scores, each written as a PNG with its data as CSV."""

from __future__ import annotations

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from depthfake.evaluation.cell_stats import clean_predictions
from depthfake.reporting.figure_data import roc_points, severity_curves, video_scores
from depthfake.reporting.figures import make_figures, model_labels
from depthfake.storage.files import read_csv

from synthetic_predictions import (
    COLUMNS,
    CROSS_COLUMNS,
    synthetic_predictions,
    tables_of,
    with_celebdf,
)

MODES = ["recompute", "perturb"]


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    """Synthetic predictions, their tables, and the figures drawn from both."""
    predictions = synthetic_predictions()
    out = tmp_path_factory.mktemp("results")
    tables_of(predictions, COLUMNS, MODES, out / "tables")
    tables = {name: read_csv(out / "tables" / f"{name}.csv")
              for name in ["detection", *(f"robustness_{m}" for m in MODES)]}
    make_figures(predictions, {m: tables[f"robustness_{m}"] for m in MODES}, out / "figures")
    return dict(predictions=predictions, tables=tables, figures=out / "figures")


@pytest.mark.parametrize("mode", MODES)
def test_severity_curves_hold_the_tables_cells_and_the_modes_clean_reference_at_no_noise(
        results, mode):
    robustness = results["tables"][f"robustness_{mode}"]
    curves = severity_curves(robustness, mode)
    assert set(curves["attack"]) == {"NSE"} and set(curves["level"]) == {0.0, 0.05}
    assert len(curves) == len(COLUMNS) * 3 * 2 * 2  # columns x models x metrics x levels
    assert set(curves["depth_input"]) == {"none", mode, "zero"}
    swept = robustness[robustness["condition"] == "NSE@0.05"].set_index(
        ["compression", "forgery", "model", "depth_input"])
    reference = "recompute" if mode == "recompute" else "estimated"  # the mode's clean faces
    clean = robustness[robustness["condition"] == "clean"]
    assert set(clean["depth_input"]) == {"none", reference, "zero"}
    clean = clean.replace({"depth_input": {reference: mode}}).set_index(
        ["compression", "forgery", "model", "depth_input"])
    for row in curves.itertuples():
        source = swept if row.level == 0.05 else clean
        cell = source.loc[(row.compression, row.forgery, row.model, row.depth_input)]
        assert (row.value, row.low, row.high) == pytest.approx(
            (cell[row.metric], cell[f"{row.metric}_low"], cell[f"{row.metric}_high"]))
        assert row.low <= row.value <= row.high
    first = curves.drop_duplicates(["compression", "forgery"])
    assert list(zip(first["compression"], first["forgery"], strict=True)) == [
        c[1:] for c in COLUMNS]  # the tables' column order


def test_jpeg_has_no_clean_point_and_no_sweep_gives_no_curve(results):
    robustness = results["tables"]["robustness_perturb"].replace(
        {"condition": {"NSE@0.05": "JPG@50"}})
    assert set(severity_curves(robustness, "perturb")["level"]) == {50}
    unswept = robustness[~robustness["condition"].str.contains("@")]
    assert severity_curves(unswept, "perturb").empty


def test_roc_curves_give_the_cells_auc(results):
    clean = clean_predictions(results["predictions"])
    points = roc_points(clean)
    assert set(points["depth_input"]) == {"none", "estimated", "zero"}
    for (compression, forgery, model, depth_input, seed), curve in points.groupby(
            ["compression", "forgery", "model", "depth_input", "seed"]):
        frames = clean[(clean["compression"] == compression) & (clean["forgery"] == forgery)
                       & (clean["model"] == model) & (clean["depth_input"] == depth_input)
                       & (clean["seed"] == seed)]
        assert curve["auc"].iloc[0] == pytest.approx(roc_auc_score(frames["label"],
                                                                   frames["prob_fake"]))
        assert curve[["fpr", "tpr"]].iloc[[0, -1]].to_numpy().tolist() == [[0, 0], [1, 1]]
        assert curve["fpr"].is_monotonic_increasing and curve["tpr"].is_monotonic_increasing


def test_video_scores_are_each_videos_mean_probability(results):
    clean = clean_predictions(results["predictions"])
    scores = video_scores(clean)
    assert len(scores) == len(COLUMNS) * 3 * 2 * 8  # columns x models x seeds x videos
    one = scores.iloc[5]
    frames = clean[(clean["video"] == one["video"]) & (clean["model"] == one["model"])
                   & (clean["depth_input"] == one["depth_input"]) & (clean["seed"] == one["seed"])
                   & (clean["compression"] == one["compression"])
                   & (clean["forgery"] == one["forgery"])]
    assert one["prob_fake"] == pytest.approx(frames["prob_fake"].mean())
    assert one["label"] == frames["label"].iloc[0]


def test_every_figure_is_a_png_beside_the_csv_it_draws(results):
    figures = results["figures"]
    clean = clean_predictions(results["predictions"])
    expected = {"roc": roc_points(clean), "scores": video_scores(clean),
                **{f"severity_{m}": severity_curves(results["tables"][f"robustness_{m}"], m)
                   for m in MODES}}
    for name, data in expected.items():
        image = matplotlib.image.imread(figures / f"{name}.png")
        assert image.shape[0] > 200 and image.shape[1] > 400 and image.std() > 0.05, name
        written = read_csv(figures / f"{name}.csv")
        assert len(written) == len(data)
        numbers = data.select_dtypes("number").columns
        np.testing.assert_allclose(written[numbers].to_numpy(float),
                                   data[numbers].to_numpy(float), rtol=1e-5)
        assert (figures / f"{name}.csv").read_text().startswith("# code ")


def test_model_labels_name_only_what_differs():
    keys = [("rgb", "b0", "none", "none"), ("mdn", "b0", "mesh", "estimated"),
            ("mdn", "b0", "mesh", "zero")]
    assert list(model_labels(keys).values()) == ["rgb", "mdn, estimated", "mdn, zeros"]
    keys.append(("mdn", "b0", "anything", "zero"))
    assert model_labels(keys)[keys[-1]] == "mdn, anything, zeros"
    assert model_labels(keys)[keys[0]] == "rgb"


def test_figures_of_one_class_columns_and_no_sweeps_are_drawn_with_a_note(tmp_path):
    predictions = synthetic_predictions()
    predictions = predictions[predictions["condition"].isin(["clean", "NSE"])
                              & (predictions["label"] == 1)]
    tables_of(predictions, COLUMNS, ["recompute"], tmp_path)
    make_figures(predictions, {"recompute": read_csv(tmp_path / "robustness_recompute.csv")},
                 tmp_path)
    assert read_csv(tmp_path / "roc.csv").empty  # no curve without reals
    assert read_csv(tmp_path / "severity_recompute.csv").empty
    assert set(read_csv(tmp_path / "scores.csv")["label"]) == {1}
    assert pd.read_csv(tmp_path / "severity_recompute.csv", comment="#").columns.size > 5


def test_a_test_data_set_in_one_quality_is_drawn_at_its_own_compression(tmp_path):
    predictions = synthetic_predictions()
    predictions = with_celebdf(predictions[predictions["condition"].isin(["clean", "NSE@0.05"])])
    tables_of(predictions, CROSS_COLUMNS, ["recompute"], tmp_path)
    make_figures(predictions, {"recompute": read_csv(tmp_path / "robustness_recompute.csv")},
                 tmp_path)
    for name in ("roc", "scores", "severity_recompute"):  # the panels' titles
        drawn = read_csv(tmp_path / f"{name}.csv").drop_duplicates(["test_dataset",
                                                                    "compression"])
        assert list(zip(drawn["test_dataset"], drawn["compression"], strict=True)) == [
            ("demo", "raw"), ("demo", "c40"), ("celebdf", "none (trained at raw)"),
            ("celebdf", "none (trained at c40)")], name
