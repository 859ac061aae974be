"""The metrics are right on hand-computed cases; the tables hold them over seeds with
intervals and paired differences, in Markdown, CSV and LaTeX."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from depthfake.evaluation.cell_stats import column_statistics, seed_summary
from depthfake.evaluation.metrics import (
    binary_metrics,
    cell_metrics,
    per_kind_accuracy,
    video_level,
)
from depthfake.reporting.skipped_videos import collect_skips
from depthfake.reporting.text import (
    html_page,
    latex_table,
    markdown_table,
    markdown_text,
)
from depthfake.settings import BootstrapSettings
from depthfake.storage.files import read_csv
from depthfake.storage.skips import SkipLog

from hostile_names import HOSTILE_NAMES, injected, parse_page
from synthetic_predictions import (
    COLUMNS,
    CROSS_COLUMNS,
    EVALUATIONS,
    synthetic_predictions,
    tables_of,
    with_celebdf,
)


@pytest.fixture
def predictions() -> pd.DataFrame:
    return synthetic_predictions()


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
        backbone="b", depth="none", seed=1, condition="clean", depth_input="none")
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
    assert len(metrics) == EVALUATIONS * 2 * 4  # x seeds x columns
    for _, row in metrics.iterrows():
        cell = predictions[(predictions["model"] == row["model"])
                           & (predictions["depth_input"] == row["depth_input"])
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
    summary = seed_summary(predictions)
    assert len(summary) == len(metrics) // 2 and (summary["seeds"] == 2).all()
    first = summary.iloc[0]
    seeds = metrics[(metrics["model"] == first["model"]) & (metrics["forgery"] == first["forgery"])
                    & (metrics["depth_input"] == first["depth_input"])
                    & (metrics["compression"] == first["compression"])
                    & (metrics["condition"] == first["condition"])]
    for metric in ("frame_accuracy", "video_auc", "frame_eer", "kind_accuracy_real"):
        assert first[metric] == pytest.approx(seeds[metric].mean())
        assert first[f"{metric}_sd"] == pytest.approx(seeds[metric].std(ddof=1))



KEY = ["test_dataset", "compression", "forgery", "model", "depth_input", "condition"]


def summarise(predictions: pd.DataFrame, seed: int = 3, resamples: int = 300) -> pd.DataFrame:
    return column_statistics(predictions, BootstrapSettings(seed=seed, resamples=resamples))


def test_each_cell_has_an_interval_and_a_paired_difference_from_rgb(predictions):
    summary = summarise(predictions)
    assert len(summary) == EVALUATIONS * 4 and (summary["seeds"] == 2).all()
    metrics = cell_metrics(predictions)
    cells = summary.set_index(KEY)
    for metric in ("frame_accuracy", "frame_auc", "video_auc"):
        means = metrics.groupby(KEY)[metric].mean()
        assert np.allclose(cells[metric], means.reindex(cells.index))
        assert (cells[f"{metric}_low"] <= cells[metric] + 1e-9).all()
        assert (cells[metric] <= cells[f"{metric}_high"] + 1e-9).all()
        rgb = cells.xs(("rgb", "none"), level=("model", "depth_input"))[metric]
        mdn = cells.xs(("mdn", "recompute"), level=("model", "depth_input"))
        assert np.allclose(mdn[f"{metric}_delta"], mdn[metric] - rgb.reindex(mdn.index))
        assert (mdn[f"{metric}_delta_low"] <= mdn[f"{metric}_delta"] + 1e-9).all()
        assert ((mdn[f"{metric}_p"] < 0.05) == ((mdn[f"{metric}_delta_low"] > 0)
                                              | (mdn[f"{metric}_delta_high"] < 0))).all()
        assert cells.xs("rgb", level="model")[f"{metric}_delta"].isna().all()
    # mdn on zeros separates far worse than rgb (0.05 against 0.2)
    zero_delta = cells.xs(("mdn", "zero"), level=("model", "depth_input"))
    assert (zero_delta["frame_auc_delta"] < 0).all()
    assert (summary["real_videos"] == 3).all() and (summary["fake_videos"] == 5).all()
    assert (summary["real_clusters"] == 3).all() and (summary["fake_clusters"] == 4).all()
    lost = predictions.groupby(["model", "depth_input", "compression", "forgery", "condition",
                                "seed"])["depth_lost"].sum()
    assert summary["depth_lost"].max() == lost.max()


def test_intervals_hold_the_seeds_variation(predictions):
    """With two seeds an interval is wider than the bootstrap's alone by the seeds' part,
    under a t quantile of Welch-Satterthwaite's degrees of freedom."""
    two = summarise(predictions).set_index(KEY)
    one = summarise(predictions[predictions["seed"] == 1]).set_index(KEY)
    assert (one["seeds"] == 1).all() and one["frame_auc_sd"].isna().all()
    cell = two.xs(("mdn", "recompute", "clean"), level=("model", "depth_input", "condition")
                  ).iloc[0]
    half = (cell["frame_auc_high"] - cell["frame_auc_low"]) / 2
    assert cell["frame_auc_se"] ** 2 > cell["frame_auc_sd"] ** 2 / 2
    if cell["frame_auc_high"] < 1 and cell["frame_auc_low"] > 0:  # not clipped
        assert half > 1.96 * cell["frame_auc_se"]  # a t quantile, not the normal one


def test_the_same_resampled_clusters_serve_every_model_and_run(predictions):
    first = summarise(predictions, resamples=200)
    again = summarise(predictions, resamples=200)
    pd.testing.assert_frame_equal(first, again)
    other = summarise(predictions, seed=4, resamples=200)
    assert not np.allclose(first["frame_accuracy_se"], other["frame_accuracy_se"])


def test_a_one_class_cell_is_marked_never_significant_and_warned_about(predictions, tmp_path,
                                                                       capsys):
    fakes_only = predictions[~((predictions["compression"] == "raw")
                               & (predictions["forgery"] == "FaceSwap")
                               & (predictions["label"] == 0))]
    summary = tables_of(fakes_only, COLUMNS, ["recompute"], tmp_path)
    lonely = summary[(summary["compression"] == "raw") & (summary["forgery"] == "FaceSwap")]
    assert lonely["one_class"].all() and not lonely["frame_accuracy_significant"].any()
    assert lonely["frame_auc"].isna().all() and (lonely["real_videos"] == 0).all()
    assert not summary[summary["compression"] == "c40"]["one_class"].any()
    console = capsys.readouterr().out
    assert "demo raw FaceSwap (clean): the test set has 0 real and 5 fake videos" in console
    markdown = (tmp_path / "detection.md").read_text()
    line = next(x for x in markdown.splitlines() if x.startswith("| raw | FaceSwap | mdn"))
    assert "0 / 5 (one class)" in line and "**" not in line


def test_written_tables_hold_the_numbers_per_depth_mode(predictions, tmp_path):
    summary = tables_of(predictions, COLUMNS, ["recompute", "perturb"], tmp_path)
    detection = read_csv(tmp_path / "detection.csv")
    assert len(detection) == 3 * 4  # rgb, mdn on its maps, mdn on zeros x 4 columns
    assert sorted(detection["depth_input"].unique()) == ["estimated", "none", "zero"]
    cells = summary.drop_duplicates(["compression", "forgery", "model", "depth_input",
                                     "condition"])  # the tables repeat their clean cells
    clean = summary.iloc[:len(detection)]  # the detection table's cells come first
    assert (clean["condition"] == "clean").all()
    assert np.allclose(detection["frame_accuracy_low"], clean["frame_accuracy_low"])
    for mode, reference in (("recompute", "recompute"), ("perturb", "estimated")):
        table = read_csv(tmp_path / f"robustness_{mode}.csv")
        attacked = table[table["condition"] != "clean"]
        assert set(attacked["depth_input"]) == {"none", mode, "zero"}  # never both modes
        assert sorted(attacked["condition"].unique()) == ["BLR", "NSE", "NSE@0.05"]
        own_clean = table[table["condition"] == "clean"]  # the mode's clean reference
        assert set(own_clean["depth_input"]) == {"none", reference, "zero"}
        expected = cells[(cells["condition"] == "clean") & (cells["depth_input"] == reference)]
        np.testing.assert_allclose(
            own_clean.loc[own_clean["depth_input"] == reference, "frame_auc"],
            expected["frame_auc"], rtol=1e-5)  # as the CSV rounds it
        markdown = (tmp_path / f"robustness_{mode}.md").read_text()
        assert markdown.index("## Clean reference") < markdown.index("## BLR")
        assert f"depth mode `{mode}`" in markdown and f"`{mode}` mode" in markdown
        assert "## NSE sweep (level: sigma)" in markdown
        assert ("depth fallbacks" in markdown) == (mode == "recompute")
    markdown = (tmp_path / "detection.md").read_text()
    cell = summary[(summary["condition"] == "clean") & (summary["model"] == "mdn")
                   & (summary["depth_input"] == "estimated") & (summary["compression"] == "raw")
                   & (summary["forgery"] == "ALL")].iloc[0]
    pct = {name: 100 * cell[f"frame_accuracy{name}"]
           for name in ("", "_sd", "_low", "_high", "_delta", "_delta_low")}
    assert markdown_text(f"{pct['']:.2f} ± {pct['_sd']:.2f} [{pct['_low']:.2f}, "
                         f"{pct['_high']:.2f}]") in markdown
    assert markdown_text(f"{pct['_delta']:+.2f} [{pct['_delta_low']:+.2f}") in markdown
    kinds = markdown.split("## Accuracy per kind")[1]
    assert "| raw ALL real | raw ALL Face2Face | raw ALL FaceSwap |" in kinds
    latex = (tmp_path / "detection.tex").read_text()
    assert r"\toprule" in latex and r"\bottomrule" in latex and "mobilenetv2\\_050" in latex
    assert latex.count(r"\begin{tabular}") == 1 and "Accuracy per kind" not in latex


def test_a_test_data_set_in_one_quality_is_shown_at_its_own_compression(predictions, tmp_path):
    two = with_celebdf(predictions[predictions["condition"].isin(["clean", "NSE"])])
    summary = tables_of(two, CROSS_COLUMNS, ["recompute"], tmp_path)
    shown = summary.drop_duplicates(["test_dataset", "compression"])
    assert list(zip(shown["test_dataset"], shown["compression"], strict=True)) == [
        ("demo", "raw"), ("demo", "c40"), ("celebdf", "none (trained at raw)"),
        ("celebdf", "none (trained at c40)")]
    markdown = (tmp_path / "detection.md").read_text()
    assert "\n| celebdf | none (trained at c40) | FaceSwap | rgb | " in markdown
    # The demo's rows come first; no Celeb-DF row shows a compression of its own but none.
    assert "| c40 | FaceSwap" not in markdown.split("| celebdf |", 1)[1]
    # One per-kind table per test data set, of its own kinds: no n/a.
    demo, celebdf = markdown.split("## Accuracy per kind")[1].split("### Tested on celebdf")
    assert "| raw ALL real | raw ALL Face2Face | raw ALL FaceSwap | c40 ALL real |" in demo
    assert ("| none (trained at raw) ALL real | none (trained at raw) ALL Celeb-synthesis | "
            "none (trained at c40) ALL real | none (trained at c40) ALL Celeb-synthesis |"
            ) in celebdf
    assert "n/a" not in demo + celebdf and "Celeb-synthesis" not in demo


def test_latex_escapes_and_bolds():
    text = latex_table(["ACC %", "Δ ACC"], [[("95.00 ± 1.00", False), ("+3.00", True)]], "c")
    assert r"ACC \% & $\Delta$ ACC \\" in text
    assert r"95.00 $\pm$ 1.00 & \textbf{+3.00} \\" in text


def test_every_table_names_its_code_version(predictions, tmp_path):
    tables_of(predictions, COLUMNS, ["recompute"], tmp_path)
    for name in ("detection", "robustness_recompute"):
        for suffix in (".md", ".csv", ".tex"):
            text = (tmp_path / f"{name}{suffix}").read_text()
            line = text.splitlines()[0 if suffix == ".csv" else -1]
            assert "code " in line and "torch " in line, name + suffix


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_value_reads_back_as_its_text(name):
    page = html_page(markdown_table(["video"], [[(name, False)], [(name, True)]]), name)
    parsed = parse_page(page)
    assert injected(page) == set()
    assert parsed.cells == ["video", name, name]
    assert ("strong", ()) in parsed.elements  # the bold cell: the document's own markup


def test_raw_html_links_and_images_in_a_document_stay_text():
    document = "<script>alert(1)</script>\n\n[x](javascript:alert(2)) ![i](x.png) <http://a.b>"
    page = html_page(document, "t")
    assert injected(page) == set()
    assert "<script>alert(1)</script>" in parse_page(page).text


def test_the_skipped_videos_page_shows_hostile_names_as_text(tmp_path):
    skips = SkipLog("crop_faces", "mine")
    for name in HOSTILE_NAMES:
        skips.add(name, "real", "none", f"no face in any frame: data/{name}.mp4")
    skips.write(tmp_path / "skips.csv")
    collect_skips([tmp_path / "skips.csv"], out=tmp_path / "skipped.csv",
                  out_html=tmp_path / "s.html")
    page = (tmp_path / "s.html").read_text()
    assert injected(page) == set()
    cells = parse_page(page).cells
    assert all(name in cells and f"no face in any frame: data/{name}.mp4" in cells
               for name in HOSTILE_NAMES)
