"""The tables hold the metrics computed from the predictions, per seed and over seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from depthfake.files import read_csv
from depthfake.report import cell_metrics, over_seeds, to_markdown, wide_table

from tables import make_tables

ROWS = [("rgb", "mobilenetv2_050", "none"), ("mdn", "mobilenetv2_050", "landmark_mesh")]
COLUMNS = [("demo", c, f) for c in ("raw", "c40") for f in ("FaceSwap", "ALL")]


@pytest.fixture
def predictions() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for (model, backbone, depth), skill in zip(ROWS, (0.2, 0.35), strict=True):
        for seed in (1, 2):
            for _, compression, forgery in COLUMNS:
                for condition in ("clean", "BLR", "NSE", "RSC", "TRN", "CMB"):
                    labels = rng.integers(0, 2, 40)
                    probs = np.clip(0.5 + skill * (2 * labels - 1) + rng.normal(0, 0.2, 40), 0, 1)
                    rows.append(pd.DataFrame(dict(
                        dataset="demo", test_dataset="demo", model=model, backbone=backbone,
                        depth=depth, seed=seed, forgery=forgery, compression=compression,
                        condition=condition, depth_mode="perturb", video="v", kind="k",
                        frame=np.arange(40), label=labels, prob_fake=probs)))
    return pd.concat(rows, ignore_index=True)


def test_cell_metrics_match_a_direct_computation(predictions):
    metrics = cell_metrics(predictions)
    assert len(metrics) == 2 * 2 * 4 * 6
    for _, row in metrics.iterrows():
        cell = predictions[(predictions["model"] == row["model"])
                           & (predictions["seed"] == row["seed"])
                           & (predictions["forgery"] == row["forgery"])
                           & (predictions["compression"] == row["compression"])
                           & (predictions["condition"] == row["condition"])]
        accuracy = 100 * ((cell["prob_fake"] >= 0.5) == cell["label"]).mean()
        assert row["accuracy"] == pytest.approx(accuracy)
        assert row["auc"] == pytest.approx(roc_auc_score(cell["label"], cell["prob_fake"]))
        assert row["faces"] == 40


def test_seeds_are_summarised_by_mean_and_standard_deviation(predictions):
    metrics = cell_metrics(predictions)
    summary = over_seeds(metrics)
    assert len(summary) == len(metrics) // 2 and (summary["seeds"] == 2).all()
    first = summary.iloc[0]
    seeds = metrics[(metrics["model"] == first["model"]) & (metrics["forgery"] == first["forgery"])
                    & (metrics["compression"] == first["compression"])
                    & (metrics["condition"] == first["condition"])]["accuracy"]
    assert first["accuracy_mean"] == pytest.approx(seeds.mean())
    assert first["accuracy_std"] == pytest.approx(seeds.std(ddof=1))


def test_markdown_bolds_the_best_mean_of_each_column():
    metrics = pd.DataFrame(dict(
        dataset="demo", test_dataset="demo", model=["rgb", "rgb", "mdn"], backbone="b",
        depth=["none", "none", "mesh"], seed=[1, 2, 1], compression="raw", forgery="ALL",
        condition="clean", depth_mode="perturb", faces=10, accuracy=[90.0, 92.0, 95.5],
        auc=[0.97, 0.99, 0.93]))
    columns = [("demo", "raw", "ALL")]
    text = to_markdown(wide_table(over_seeds(metrics), [("rgb", "b", "none"), ("mdn", "b", "mesh")],
                                  columns), columns)
    lines = text.splitlines()
    assert lines[0] == "| model | backbone | depth | raw ALL ACC % | raw ALL AUC |"
    assert lines[2] == "| rgb | b | none | 91.00 ± 1.41 | **0.980 ± 0.014** |"
    assert lines[3] == "| mdn | b | mesh | **95.50** | 0.930 |"


def test_written_tables_hold_the_computed_numbers(predictions, tmp_path):
    metrics = make_tables(predictions, ROWS, COLUMNS, tmp_path)
    detection = read_csv(tmp_path / "detection.csv")
    clean = metrics[metrics["condition"] == "clean"].reset_index(drop=True)
    assert len(detection) == len(clean) == 2 * 2 * 4  # every seed's numbers are kept
    assert np.allclose(detection["accuracy"], clean["accuracy"], rtol=1e-5)
    assert np.allclose(detection["auc"], clean["auc"], rtol=1e-5)
    robustness = read_csv(tmp_path / "robustness.csv")
    assert sorted(robustness["condition"].unique()) == ["BLR", "CMB", "NSE", "RSC", "TRN"]
    markdown = (tmp_path / "detection.md").read_text()
    mdn = clean[(clean["model"] == "mdn") & (clean["compression"] == "raw")
                & (clean["forgery"] == "ALL")]["accuracy"]
    assert f"{mdn.mean():.2f} ± {mdn.std():.2f}" in markdown
    assert "n/a" not in markdown and "mean ± standard deviation" in markdown
    robust_md = (tmp_path / "robustness.md").read_text()
    assert robust_md.count("`perturb` mode") == 5  # every attack's caption names the depth mode


def test_every_table_names_its_code_version(predictions, tmp_path):
    make_tables(predictions, ROWS, COLUMNS, tmp_path)
    for name in ("detection.md", "robustness.md", "detection.csv", "robustness.csv"):
        text = (tmp_path / name).read_text()
        line = text.splitlines()[-1 if name.endswith(".md") else 0]
        assert "code " in line and "torch " in line, name
