"""The metrics are right on hand-computed cases, and the tables hold them per seed and over
seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from depthfake.files import read_csv
from depthfake.metrics import binary_metrics, cell_metrics, per_kind_accuracy, video_level
from depthfake.report import over_seeds, to_markdown, wide_table

from tables import make_tables

ROWS = [("rgb", "mobilenetv2_050", "none"), ("mdn", "mobilenetv2_050", "landmark_mesh")]
COLUMNS = [("demo", c, f) for c in ("raw", "c40") for f in ("FaceSwap", "ALL")]
VIDEO_LABELS = np.array([0, 1, 0, 1, 1, 0, 1, 1])  # 8 test videos of 5 frames, 5 fake
FRAMES = 5


@pytest.fixture
def predictions() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    labels = np.repeat(VIDEO_LABELS, FRAMES)
    rows = []
    for (model, backbone, depth), skill in zip(ROWS, (0.2, 0.35), strict=True):
        for seed in (1, 2):
            for _, compression, forgery in COLUMNS:
                fakes = ["FaceSwap", "Face2Face"] if forgery == "ALL" else [forgery]
                kinds = ["real" if label == 0 else fakes[i % len(fakes)]
                         for i, label in enumerate(VIDEO_LABELS)]
                for condition in ("clean", "BLR", "NSE", "RSC", "TRN", "CMB"):
                    probs = np.clip(0.5 + skill * (2 * labels - 1) + rng.normal(0, 0.2, 40), 0, 1)
                    rows.append(pd.DataFrame(dict(
                        dataset="demo", test_dataset="demo", model=model, backbone=backbone,
                        depth=depth, seed=seed, forgery=forgery, compression=compression,
                        condition=condition, depth_mode="perturb",
                        video=np.repeat([f"{i:03d}" for i in range(8)], FRAMES),
                        kind=np.repeat(kinds, FRAMES), frame=np.tile(np.arange(FRAMES), 8),
                        label=labels, prob_fake=probs)))
    return pd.concat(rows, ignore_index=True)


def test_binary_metrics_by_hand():
    # ROC (fpr, tpr): (0, 0), (0, 1/2) at 0.9, (1/2, 1) at the tied 0.5s, (1, 1): the EER
    # lies halfway along the diagonal, at fpr = fnr = 1/4. AP = 1/2 * 1 + 1/2 * 2/3.
    metrics = binary_metrics([0, 0, 1, 1], [0.1, 0.5, 0.5, 0.9])
    assert metrics == pytest.approx(dict(accuracy=0.75, balanced_accuracy=0.75, auc=3.5 / 4,
                                         eer=0.25, ap=5 / 6, fake_share=0.5))
    # ROC: (0, 0), (1/3, 0) at 0.9, (1/3, 1) at 0.5, ...: fpr = 1 - tpr = 1/3 on the rise.
    metrics = binary_metrics([0, 0, 0, 1], [0.1, 0.2, 0.9, 0.5])
    assert metrics == pytest.approx(dict(accuracy=0.75, balanced_accuracy=(1 + 2 / 3) / 2,
                                         auc=2 / 3, eer=1 / 3, ap=0.5, fake_share=0.25))
    perfect = binary_metrics([0, 1, 0, 1], [0.2, 0.6, 0.4, 0.8])
    assert (perfect["accuracy"], perfect["auc"], perfect["eer"], perfect["ap"]) == (1, 1, 0, 1)


def test_always_fake_on_a_one_to_four_set_is_no_skill():
    metrics = binary_metrics([0, 1, 1, 1, 1], [0.9] * 5)
    assert metrics == pytest.approx(dict(accuracy=0.8, balanced_accuracy=0.5, auc=0.5,
                                         eer=0.5, ap=0.8, fake_share=0.8))


def test_one_class_has_no_auc_eer_or_ap():
    metrics = binary_metrics([1, 1, 1], [0.2, 0.7, 0.9])
    assert np.isnan([metrics["auc"], metrics["eer"], metrics["ap"]]).all()
    assert metrics["accuracy"] == metrics["balanced_accuracy"] == pytest.approx(2 / 3)
    assert metrics["fake_share"] == 1


def frames_table() -> pd.DataFrame:
    """Two real and three fake videos; "a" is both a real and a FaceSwap video name."""
    return pd.DataFrame(dict(
        video=["a", "a", "a", "b", "b", "a", "a", "c", "c", "d"],
        kind=["real"] * 5 + ["FaceSwap"] * 4 + ["Face2Face"],
        label=[0] * 5 + [1] * 5,
        prob_fake=[0.1, 0.2, 0.6, 0.7, 0.9, 0.8, 0.4, 0.5, 0.3, 0.6],
        frame=range(10)))


def test_video_level_is_the_mean_of_each_videos_frames():
    videos = video_level(frames_table())
    assert videos[["video", "kind", "label"]].values.tolist() == [
        ["a", "real", 0], ["b", "real", 0], ["a", "FaceSwap", 1], ["c", "FaceSwap", 1],
        ["d", "Face2Face", 1]]
    assert videos["prob_fake"].tolist() == pytest.approx([0.3, 0.8, 0.6, 0.4, 0.6])


def test_accuracy_per_kind():
    accuracy = per_kind_accuracy(frames_table())
    assert list(accuracy) == ["real", "Face2Face", "FaceSwap"]  # real first
    assert accuracy == pytest.approx(dict(real=2 / 5, FaceSwap=2 / 4, Face2Face=1.0))


def test_cell_metrics_count_videos_and_score_both_levels():
    frames = frames_table().assign(
        dataset="demo", test_dataset="demo", compression="raw", forgery="ALL", model="rgb",
        backbone="b", depth="none", seed=1, condition="clean", depth_mode="perturb")
    row = cell_metrics(frames).iloc[0]
    assert (row["faces"], row["videos"], row["real_videos"], row["fake_videos"]) == (10, 5, 2, 3)
    for level, table in (("frame", frames), ("video", video_level(frames))):
        for name, value in binary_metrics(table["label"], table["prob_fake"]).items():
            assert row[f"{level}_{name}"] == pytest.approx(value)
    assert row["video_accuracy"] == pytest.approx(3 / 5)  # 0.3, 0.8 | 0.6, 0.4, 0.6
    assert row["frame_fake_share"] == 0.5 and row["video_fake_share"] == pytest.approx(3 / 5)
    assert row["kind_accuracy_real"] == pytest.approx(2 / 5)
    assert row["kind_accuracy_FaceSwap"] == pytest.approx(1 / 2)


def test_cell_metrics_match_a_direct_computation(predictions):
    metrics = cell_metrics(predictions)
    assert len(metrics) == 2 * 2 * 4 * 6
    for _, row in metrics.iterrows():
        cell = predictions[(predictions["model"] == row["model"])
                           & (predictions["seed"] == row["seed"])
                           & (predictions["forgery"] == row["forgery"])
                           & (predictions["compression"] == row["compression"])
                           & (predictions["condition"] == row["condition"])]
        accuracy = ((cell["prob_fake"] >= 0.5) == cell["label"]).mean()
        assert row["frame_accuracy"] == pytest.approx(accuracy)
        assert row["frame_auc"] == pytest.approx(roc_auc_score(cell["label"], cell["prob_fake"]))
        videos = cell.groupby("video")[["label", "prob_fake"]].mean()
        assert row["video_auc"] == pytest.approx(roc_auc_score(videos["label"],
                                                               videos["prob_fake"]))
        assert (row["faces"], row["videos"], row["fake_videos"]) == (40, 8, 5)
        assert row["frame_fake_share"] == 5 / 8
        kinds = {c for c in metrics if c.startswith("kind_accuracy_") and pd.notna(row[c])}
        assert len(kinds) == (3 if row["forgery"] == "ALL" else 2)


def test_seeds_are_summarised_by_mean_and_standard_deviation(predictions):
    metrics = cell_metrics(predictions)
    summary = over_seeds(metrics)
    assert len(summary) == len(metrics) // 2 and (summary["seeds"] == 2).all()
    first = summary.iloc[0]
    seeds = metrics[(metrics["model"] == first["model"]) & (metrics["forgery"] == first["forgery"])
                    & (metrics["compression"] == first["compression"])
                    & (metrics["condition"] == first["condition"])]
    for metric in ("frame_accuracy", "video_auc", "frame_eer", "kind_accuracy_real"):
        assert first[f"{metric}_mean"] == pytest.approx(seeds[metric].mean())
        assert first[f"{metric}_std"] == pytest.approx(seeds[metric].std(ddof=1))


def test_markdown_bolds_the_best_mean_of_each_column_but_never_the_all_fake_rate():
    metrics = pd.DataFrame(dict(
        dataset="demo", test_dataset="demo", model=["rgb", "rgb", "mdn"], backbone="b",
        depth=["none", "none", "mesh"], seed=[1, 2, 1], compression="raw", forgery="ALL",
        condition="clean", depth_mode="perturb", faces=10, frame_accuracy=[0.9, 0.92, 0.955],
        frame_auc=[0.97, 0.99, 0.93], video_auc=[1.0, 1.0, 0.95], frame_fake_share=0.8))
    columns = [("demo", "raw", "ALL")]
    text = to_markdown(wide_table(over_seeds(metrics), [("rgb", "b", "none"), ("mdn", "b", "mesh")],
                                  columns), columns)
    lines = text.splitlines()
    assert lines[0] == ("| model | backbone | depth | raw ALL ACC % (all-fake 80 %) | raw ALL AUC "
                        "| raw ALL video AUC |")
    assert lines[2] == "| rgb | b | none | 91.00 ± 1.41 | **0.980 ± 0.014** | **1.000 ± 0.000** |"
    assert lines[3] == "| mdn | b | mesh | **95.50** | 0.930 | 0.950 |"


def test_written_tables_hold_the_computed_numbers(predictions, tmp_path):
    metrics = make_tables(predictions, ROWS, COLUMNS, tmp_path)
    detection = read_csv(tmp_path / "detection.csv")
    clean = metrics[metrics["condition"] == "clean"].reset_index(drop=True)
    assert len(detection) == len(clean) == 2 * 2 * 4  # every seed's numbers are kept
    for level in ("frame", "video"):  # and every metric
        for metric in ("accuracy", "balanced_accuracy", "auc", "eer", "ap", "fake_share"):
            assert np.allclose(detection[f"{level}_{metric}"], clean[f"{level}_{metric}"])
    robustness = read_csv(tmp_path / "robustness.csv")
    assert sorted(robustness["condition"].unique()) == ["BLR", "CMB", "NSE", "RSC", "TRN"]
    markdown = (tmp_path / "detection.md").read_text()
    mdn = clean[(clean["model"] == "mdn") & (clean["compression"] == "raw")
                & (clean["forgery"] == "ALL")]
    accuracy, real = 100 * mdn["frame_accuracy"], 100 * mdn["kind_accuracy_real"]
    assert f"{accuracy.mean():.2f} ± {accuracy.std():.2f}" in markdown
    assert f"{mdn['video_auc'].mean():.3f} ± {mdn['video_auc'].std():.3f}" in markdown
    assert "raw ALL ACC % (all-fake 62 %)" in markdown  # 5 of 8 videos are fake
    assert "n/a" not in markdown and "mean ± standard deviation" in markdown
    kinds = markdown.split("## Accuracy per kind")[1]
    assert ("| model | backbone | depth | raw ALL real | raw ALL Face2Face | raw ALL FaceSwap "
            "| c40 ALL real | c40 ALL Face2Face | c40 ALL FaceSwap |") in kinds
    assert f"| {real.mean():.2f} ± {real.std():.2f} |" in kinds and "**" not in kinds
    robust_md = (tmp_path / "robustness.md").read_text()
    assert robust_md.count("`perturb` mode") == 5  # every attack's caption names the depth mode
    assert "Accuracy per kind" not in robust_md


def test_every_table_names_its_code_version(predictions, tmp_path):
    make_tables(predictions, ROWS, COLUMNS, tmp_path)
    for name in ("detection.md", "robustness.md", "detection.csv", "robustness.csv"):
        text = (tmp_path / name).read_text()
        line = text.splitlines()[-1 if name.endswith(".md") else 0]
        assert "code " in line and "torch " in line, name
