"""The tables hold the metrics computed from the predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from depthfake.report import cell_metrics, to_markdown, wide_table

from tables import make_tables


@pytest.fixture
def predictions() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for model, skill in (("rgb", 0.2), ("mdn", 0.35)):
        for compression in ("raw", "c40"):
            for forgery in ("FaceSwap", "ALL"):
                for condition in ("clean", "BLR", "NSE", "RSC", "TRN", "CMB"):
                    labels = rng.integers(0, 2, 40)
                    probs = np.clip(0.5 + skill * (2 * labels - 1) + rng.normal(0, 0.2, 40), 0, 1)
                    rows.append(pd.DataFrame(dict(
                        model=model, forgery=forgery, compression=compression,
                        condition=condition, depth_mode="perturb", video="v", kind="k",
                        frame=np.arange(40), label=labels, prob_fake=probs)))
    return pd.concat(rows, ignore_index=True)


def test_cell_metrics_match_a_direct_computation(predictions):
    metrics = cell_metrics(predictions)
    assert len(metrics) == 2 * 2 * 2 * 6
    for _, row in metrics.iterrows():
        cell = predictions[(predictions["model"] == row["model"])
                           & (predictions["forgery"] == row["forgery"])
                           & (predictions["compression"] == row["compression"])
                           & (predictions["condition"] == row["condition"])]
        accuracy = 100 * ((cell["prob_fake"] >= 0.5) == cell["label"]).mean()
        assert row["accuracy"] == pytest.approx(accuracy)
        assert row["auc"] == pytest.approx(roc_auc_score(cell["label"], cell["prob_fake"]))
        assert row["faces"] == 40


def test_markdown_bolds_the_best_of_each_column():
    metrics = pd.DataFrame(dict(
        model=["rgb", "mdn"], compression="raw", forgery="ALL", condition="clean",
        depth_mode="perturb", faces=10, accuracy=[90.0, 95.5], auc=[0.97, 0.93]))
    text = to_markdown(wide_table(metrics, ["raw"], ["ALL"], ["rgb", "mdn"]))
    lines = text.splitlines()
    assert lines[0] == "| model | raw ALL ACC % | raw ALL AUC |"
    assert lines[2] == "| rgb | 90.00 | **0.970** |"
    assert lines[3] == "| mdn | **95.50** | 0.930 |"


def test_written_tables_hold_the_computed_numbers(predictions, tmp_path):
    metrics = make_tables(predictions, ["raw", "c40"], ["FaceSwap", "ALL"], ["rgb", "mdn"],
                          tmp_path)
    detection = pd.read_csv(tmp_path / "detection.csv")
    clean = metrics[metrics["condition"] == "clean"].reset_index(drop=True)
    assert np.allclose(detection["accuracy"], clean["accuracy"], rtol=1e-5)
    assert np.allclose(detection["auc"], clean["auc"], rtol=1e-5)
    robustness = pd.read_csv(tmp_path / "robustness.csv")
    assert sorted(robustness["condition"].unique()) == ["BLR", "CMB", "NSE", "RSC", "TRN"]
    markdown = (tmp_path / "detection.md").read_text()
    mdn_raw_all = clean[(clean["model"] == "mdn") & (clean["compression"] == "raw")
                        & (clean["forgery"] == "ALL")].iloc[0]
    assert f"{mdn_raw_all['accuracy']:.2f}" in markdown
    assert "n/a" not in markdown
    robust_md = (tmp_path / "robustness.md").read_text()
    assert robust_md.count("`perturb` mode") == 5  # every attack's caption names the depth mode
