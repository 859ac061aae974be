"""The whole workflow on a tiny demo with a truncated and a face-less video; reruns; config."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import h5py
import numpy as np
import pandas as pd
import pytest
import yaml

from depthfake.datasets import list_videos
from depthfake.settings import NO_COMPRESSION, PER_DATASET_SECTIONS, DatasetSettings
from depthfake.settings.reference import PLACEHOLDERS, config_keys
from depthfake.storage.files import parquet_provenance, read_csv, read_json

from conftest import REPO
from tiny_workflow import BACKBONE, SNAKEMAKE, TINY, merged, snakemake, write_config

pytestmark = pytest.mark.workflow
# Per training cell: rgb, and mdn on each of the two depth backends.
RUNS = 3
# Table rows per training cell: rgb; each mdn on its depth maps and on zeros.
EVALUATIONS = 1 + 2 * 2
CONDITIONS = 8  # clean (the mode's clean reference), BLR, NSE, RSC, TRN, CMB, JPG, NSE@0.02
# Keys with one valid value in the tiny config (one layout, one data set, one compression).
ONE_CHOICE = {"datasets.demo.layout", "train.dataset", "figures.gradcam.compression"}
# Keys of a target outside the default one (detect): their rows are written by hand, and
# test_bundles_score_the_test_videos_as_evaluation_did measures one.
TARGET_ONLY = "detect."
# The tiny run's names for the placeholders of the config keys.
FILLED = {PLACEHOLDERS["datasets"]: "demo", PLACEHOLDERS["backbone_options"]: BACKBONE}
# The per-data-set frame and face keys the rerun table has a row for: those the demo sets
# under its own entry. Each is changed to the example of the top-level key.
PER_DATASET = ("frames.per_video", "faces.backend", "faces.dlib.upsample")
# The tiny run's values in place of a field's example: its first backbone stays (the Grad-CAM
# figure's cell), and the demo is built in another folder of the run.
TINY_CHANGES = {"datasets.demo.root": "data2", "train.backbones": [BACKBONE, "mobilenetv2_035"]}
# Set to write what the rerun test measures into the record the config reference shows.
REGENERATE = "DEPTHFAKE_REGENERATE"
RERUN_TEST = f"{REGENERATE}=1 pytest tests/test_workflow.py -k rerun"
RERUNS = REPO / "docs" / "records" / "reruns.json"
# The order a row lists rules in (the pipeline's); rules not listed come last.
RULE_ORDER = ("demo_dataset", "extract_frames", "crop_faces", "face_report", "check_faces",
              "estimate_depth", "depth_figure", "train", "gradcam", "evaluate",
              "column_statistics", "tables", "figures", "collect_skips", "predict_validation",
              "export_bundle", "detect")



def with_key(update: dict, key: str, value: object) -> dict:
    for part in reversed(key.split(".")):
        value = {part: value}
    return merged(update, value)


def planned_jobs(workdir: Path, configfile: Path) -> dict[str, int]:
    """Jobs per rule that `snakemake -n` would run with `configfile`."""
    result = snakemake(workdir, "-n", "--configfile", str(configfile))
    assert result.returncode == 0, result.stderr[-3000:]
    if "Job stats:" not in result.stdout:
        return {}
    stats = result.stdout.split("Job stats:")[1].split("total")[0]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", stats, re.MULTILINE)}


def filled(key: str) -> str:
    """`key` with the tiny run's names for its placeholders."""
    for placeholder, name in FILLED.items():
        key = key.replace(placeholder, name)
    return key


def leaf_keys() -> dict[str, object]:
    """Every setting, from the settings models (placeholders kept), in field order -> the value
    the rerun test changes it to: its field's example; a data set's frames and faces entries
    as the PER_DATASET keys, each changed to the top-level key's example."""
    examples = {item.key: item.example for item in config_keys() if item.kind == "value"}
    prefix = f"datasets.{PLACEHOLDERS['datasets']}."
    keys = {}
    for key, example in examples.items():
        section = key.removeprefix(prefix)
        if section in PER_DATASET_SECTIONS:
            keys |= {prefix + entry: examples[entry] for entry in PER_DATASET
                     if entry.split(".")[0] == section}
        else:
            keys[key] = example
    return keys


# One new value per config key (placeholders filled in), for the key-to-rules test (the config
# reference's "a change reruns"); the keys with one valid value are left out.
CHANGES = {filled(key): TINY_CHANGES.get(filled(key), example)
           for key, example in leaf_keys().items()
           if filled(key) not in ONE_CHOICE and not key.startswith(TARGET_ONLY)}


def rules_cell(rules: set[str]) -> str:
    """A row's reruns: the rules in RULE_ORDER (others after them, sorted), or "nothing"."""
    listed = [rule for rule in RULE_ORDER if rule in rules]
    return ", ".join([*listed, *sorted(rules - set(listed))]) or "nothing"


@pytest.fixture(scope="module")
def run(tiny_run) -> dict:
    return tiny_run


def test_tables_have_a_number_in_every_cell(run):
    tables = run["workdir"] / "results" / "tables" / "demo"
    detection = read_csv(tables / "detection.csv")
    assert len(detection) == EVALUATIONS * 2  # x forgeries, one compression, one seed
    assert set(detection["depth"]) == {"none", "landmark_mesh", "depth_anything"}
    assert set(detection["depth_input"]) == {"none", "estimated", "zero"}
    shown = ["frame_accuracy", "frame_auc", "video_auc"]
    intervals = [f"{m}{end}" for m in shown for end in ("_low", "_high")]
    assert detection[shown].notna().all().all()
    # the tiny data set tests one pair of people: one cluster, from which no interval can be
    # estimated, and nothing is marked
    assert (detection["clusters"] == 1).all() and detection[intervals].isna().all().all()
    assert not detection.filter(like="_significant").to_numpy().any()
    assert detection["frame_accuracy"].between(0, 1).all()
    robustness = read_csv(tables / "robustness_recompute.csv")
    assert len(robustness) == EVALUATIONS * 2 * CONDITIONS
    assert set(robustness["condition"]) == {"clean", "BLR", "NSE", "RSC", "TRN", "CMB", "JPG",
                                            "NSE@0.02"}
    reference = robustness[robustness["condition"] == "clean"]  # re-estimated, not stored
    assert set(reference["depth_input"]) == {"none", "recompute", "zero"}
    assert robustness[shown].notna().all().all() and robustness[intervals].isna().all().all()
    neural = robustness[robustness["depth"] == "depth_anything"]
    assert (neural["depth_lost"] == 0).all()  # no landmarks to lose
    for name in ("detection", "robustness_recompute"):
        assert "n/a" not in (tables / f"{name}.md").read_text()
        assert r"\toprule" in (tables / f"{name}.tex").read_text()


def test_bad_videos_are_recorded_and_left_out(run):
    skipped = read_csv(run["workdir"] / "results" / "skipped.csv", dtype=str)
    truncated = skipped[skipped["video"] == run["truncated"]]
    assert truncated[["dataset", "kind", "stage"]].values.tolist() == [
        ["demo", "real", "extract_frames"]]
    assert truncated["reason"].str.contains("frame").all()
    faceless = skipped[skipped["video"] == run["faceless"]]
    assert faceless[["kind", "stage"]].values.tolist() == [["FaceSwap", "crop_faces"]]
    assert faceless["reason"].str.contains("no face detected").all()
    assert len(skipped) == 2
    faces = pd.read_parquet(run["workdir"] / "results/faces/demo/raw/FaceSwap/shard0.parquet")
    marked = faces[faces["video"] == run["faceless"]]
    assert len(marked) == 3 and not marked["has_face"].any() and (marked["row"] == -1).all()
    frames = pd.read_parquet(run["workdir"] / "results/frames/demo/raw/real/shard0.parquet")
    assert run["truncated"] not in set(frames["video"])
    predictions = pd.read_parquet(run["workdir"] / "results/predictions/demo/raw/ALL/mdn/"
                                  f"{BACKBONE}/landmark_mesh/seed42/demo/recompute+zero.parquet")
    assert run["faceless"] not in set(predictions["video"])
    # 1 of the slice's 6 videos: within the tiny config's max_face_loss, named on the way
    checked = read_csv(run["workdir"] / "results/faces/checks/demo/raw/FaceSwap.csv")
    assert checked[["video", "face_rate"]].values.tolist() == [[run["faceless"], 0.0]]
    report = (run["workdir"] / "results/faces/report.md").read_text()
    assert run["faceless"] in report.split("## Videos without face crops")[1]


def test_a_slice_that_loses_its_faces_stops_the_run_before_training(run):
    """Past datasets.demo.max_face_loss the run stops before training, naming the video."""
    strict = run["workdir"].with_name("faces-lost")  # as deep: the same step script paths
    shutil.copytree(run["workdir"], strict, symlinks=True)
    for made in ("results/models", "results/predictions"):
        shutil.rmtree(strict / made)
    config = write_config(strict / "config.yaml",
                          with_key(TINY, "datasets.demo.max_face_loss", 0.1))
    result = snakemake(strict, "--cores", "2", "--configfile", str(config))
    console = result.stdout + result.stderr
    assert result.returncode != 0
    assert ("demo/raw/FaceSwap: 1 of 6 videos (17%) have no face crops, more than "
            "datasets.demo.max_face_loss 0.1 allows") in console
    assert f"  - {run['faceless']}: a face in 0% of 3 frames" in console
    assert "datasets.demo.missing_faces: skip" in console
    assert not list(strict.glob("results/models/**/*.safetensors"))
    assert not re.search(r"^rule (train|evaluate):", console, re.M)


def test_every_result_names_the_commit_and_config_it_came_from(run):
    results = run["workdir"] / "results"
    recorded = set()
    for meta in results.glob("models/**/*.json"):
        record = read_json(meta)
        recorded.add((record["provenance"]["code"], record["provenance"]["config_sha"]))
        assert record["preprocessing"]["faces"]["crop_size"] == 48
        assert record["preprocessing"]["frames"]["per_video"] == 3
        assert record["config"]["input_size"] == 48
    for predictions in results.glob("predictions/**/*.parquet"):
        record = parquet_provenance(predictions)
        recorded.add((record["code"], record["config_sha"]))
    code, config_sha = recorded.pop()
    assert not recorded, "every result of one run carries the same provenance"
    assert re.fullmatch(r"[0-9a-f]{12}(-dirty)?", code) and re.fullmatch(r"[0-9a-f]{12}",
                                                                         config_sha)
    for table in [*results.glob("tables/demo/*"), results / "skipped.csv"]:
        assert f"code {code}; config {config_sha}" in table.read_text(), table


def test_each_config_key_reruns_exactly_the_documented_rules(run, tmp_path):
    """Changes each setting in turn (the keys and values from the settings models) and compares
    the rules `snakemake -n` plans with docs/records/reruns.json, which the config reference
    shows; with DEPTHFAKE_REGENERATE=1, writes what it measured there instead."""
    documented = json.loads(RERUNS.read_text())
    for key in ("faces.dlib.landmark_model", f"train.backbone_options.{BACKBONE}.pretrained_file"):
        # files named by a setting are inputs: they must exist
        (run["workdir"] / CHANGES[key]).touch()

    def plan(key: str) -> set[str]:
        changed = write_config(tmp_path / f"{key}.yaml", with_key(TINY, key, CHANGES[key]))
        return set(planned_jobs(run["workdir"], changed)) - {"all"}

    with ThreadPoolExecutor(4) as pool:
        planned = dict(zip(CHANGES, pool.map(plan, CHANGES), strict=True))
    # The keys with one valid value, and the detect target's, keep the row written by hand.
    measured = {key: rules_cell(planned[filled(key)]) if filled(key) in planned
                else documented.get(key) for key in leaf_keys()}
    unmeasured = sorted(key for key, cell in measured.items() if cell is None)
    assert not unmeasured, f"write these keys' reruns into {RERUNS.name} by hand: {unmeasured}"
    if os.environ.get(REGENERATE):
        RERUNS.write_text(json.dumps(measured, indent=1) + "\n")
        return
    wrong = {key: (measured.get(key), documented.get(key))
             for key in {*measured, *documented} if measured.get(key) != documented.get(key)}
    assert not wrong and list(documented) == list(measured), (
        f"{RERUNS.name} is not what changing each key reruns; key: (planned, recorded): "
        f"{wrong}. Measure it again with: {RERUN_TEST}, then python docs/generate.py")


def test_backbones_and_seeds_multiply_the_training_jobs(run, tmp_path):
    grid = write_config(tmp_path / "grid.yaml", merged(TINY, {"train": {
        "backbones": ["mobilenetv2_050", "efficientnet_b0"], "seeds": [1, 2]}}))
    dry = snakemake(run["workdir"], "-n", "-p", "--configfile", str(grid))
    assert dry.returncode == 0, dry.stderr[-3000:]
    weights = set(re.findall(r"--out-weights (\S+)", dry.stdout))
    assert len(weights) == 4 * RUNS * 2  # backbones x seeds x runs x (FaceSwap, ALL)
    assert "results/models/demo/raw/ALL/mdn/efficientnet_b0/landmark_mesh/seed2.safetensors" \
        in weights


def test_a_model_is_tested_on_another_data_set_without_compressions(run, tmp_path):
    other = {"root": "other", "splits_dir": "data/splits", "forgeries": ["FaceSwap"],
             "compressions": None, "build_demo": None}
    here = {**other, **{key: str(run["workdir"] / other[key]) for key in ("root", "splits_dir")}}
    for kind in ("real", "FaceSwap"):  # the tree is checked before any job: it must exist
        for video in list_videos(DatasetSettings(**here), kind, NO_COMPRESSION):
            Path(video.path).parent.mkdir(parents=True, exist_ok=True)
            Path(video.path).touch()
    config = write_config(tmp_path / "cross.yaml", merged(TINY, {
        "datasets": {"other": other}, "evaluate": {"datasets": ["demo", "other"]}}))
    dry = snakemake(run["workdir"], "-n", "-p", "--configfile", str(config))
    assert dry.returncode == 0, dry.stderr[-3000:]
    predictions = set(re.findall(r"--out (results/predictions/\S+)", dry.stdout))
    assert len(predictions) == RUNS * 2  # x (FaceSwap, ALL), trained on demo at raw
    assert all(re.search(r"/seed42/other/(none|recompute\+zero)\.parquet$", p)
               for p in predictions)
    frames = set(re.findall(r"--out-frames (\S+)", dry.stdout))
    assert frames == {"results/frames/other/none/real/shard0.h5",
                      "results/frames/other/none/FaceSwap/shard0.h5"}


def test_a_model_is_tested_on_celebdf_by_its_list(run, tmp_path):
    root = run["workdir"] / "celebdf"
    for name in ("Celeb-real/id0_0000", "YouTube-real/00000", "Celeb-synthesis/id0_id1_0000"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / f"{name}.mp4").touch()
    (root / "List_of_testing_videos.txt").write_text(
        "1 Celeb-real/id0_0000.mp4\n0 Celeb-synthesis/id0_id1_0000.mp4\n")
    config = write_config(tmp_path / "celebdf.yaml", merged(TINY, {
        "datasets": {"celebdf": {"layout": "celebdf", "root": "celebdf"}},
        "evaluate": {"datasets": ["celebdf"]}}))
    dry = snakemake(run["workdir"], "-n", "-p", "--configfile", str(config))
    assert dry.returncode == 0, dry.stderr[-3000:]
    predictions = set(re.findall(r"--out (results/predictions/\S+)", dry.stdout))
    # A FaceSwap model is tested on every Celeb-DF fake: Celeb-DF has no FaceSwap.
    assert len(predictions) == RUNS * 2 and all("/celebdf/" in p for p in predictions)
    frames = set(re.findall(r"--out-frames (\S+)", dry.stdout))
    assert frames == {"results/frames/celebdf/none/real/shard0.h5",
                      "results/frames/celebdf/none/Celeb-synthesis/shard0.h5"}


def planned_gpus(workdir: Path, config: Path, gpus: str) -> dict[str, set[str]]:
    """rule -> the `gpu` resource values of its planned jobs, with CUDA_VISIBLE_DEVICES."""
    result = subprocess.run([*SNAKEMAKE, "-n", "-F", "--configfile", str(config), "--resources",
                             "gpu=4"], cwd=workdir, capture_output=True, text=True,
                            env={**os.environ, "CUDA_VISIBLE_DEVICES": gpus})
    assert result.returncode == 0, result.stderr[-3000:]
    jobs = re.findall(r"^(?:local)?rule (\w+):.*?^\s*resources: (.*?)$", result.stdout,
                      re.M | re.S)
    planned: dict[str, set[str]] = {}
    for rule, resources in jobs:
        planned.setdefault(rule, set()).update(re.findall(r"gpu=(\d+)", resources))
    return {rule: values for rule, values in planned.items() if values}


def test_jobs_ask_for_gpus_where_there_are_some_or_cuda_is_asked_for(run, tmp_path):
    assert planned_gpus(run["workdir"], run["config"], "") == {
        rule: {"0"} for rule in ("crop_faces", "estimate_depth", "train", "evaluate")}
    seen = planned_gpus(run["workdir"], run["config"], "0,1")  # auto, where there are GPUs
    assert seen["train"] == seen["evaluate"] == {"1"}
    assert seen["crop_faces"] == seen["estimate_depth"] == {"0"}  # dlib; depth on the CPU
    cuda = write_config(tmp_path / "cuda.yaml", merged(TINY, {
        "train": {"device": "cuda", "processes": 2}, "evaluate": {"device": "cpu"},
        "datasets": {"demo": {"faces": {"backend": "face_alignment",
                                        "face_alignment": {"device": "cuda"}}}},
        "depth": {"depth_anything": {"device": "cuda"}}}))
    asked = planned_gpus(run["workdir"], cuda, "")  # a submitting node without a GPU
    assert asked["train"] == {"2"} and asked["evaluate"] == {"0"}
    assert asked["crop_faces"] == {"1"}
    assert asked["estimate_depth"] == {"0", "1"}  # depth_anything asks; landmark_mesh does not


def test_unchanged_config_schedules_nothing(run):
    result = snakemake(run["workdir"], "-n", "--configfile", str(run["config"]))
    assert "Nothing to be done" in result.stdout + result.stderr


def test_a_moved_project_schedules_nothing(run):
    moved = run["workdir"].with_name("moved-project")  # as deep: the step scripts' relative
    shutil.copytree(run["workdir"], moved, symlinks=True)
    config = write_config(moved / "config.yaml", TINY)
    result = snakemake(moved, "-n", "--configfile", str(config))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.parametrize("update,message", [
    ({"frames": {"per_vidoe": 8}}, "per_vidoe"),
    ({"faces": {"crop_size": "big"}}, "faces.crop_size"),
    ({"datasets": {"demo": {"faces": {"crop_size": 32}}}},
     "datasets.demo.faces.crop_size: shapes the crops every model reads"),
    ({"train": {"backbones": ["mobilenetv9"]}}, "unknown timm model(s) ['mobilenetv9']"),
    ({"train": {"backbones": ["convnext_atto"]}}, "no split adapter supports ['convnext_atto']"),
    ({"train": {"models": ["mdm"]}}, "'late', 'mdn', 'mid' or 'rgb'"),
    ({"datasets": {"demo": {"build_demo": None, "root": "nowhere"}}},
     "datasets.demo.root: nowhere is not a folder"),
])
def test_bad_config_fails_at_once_naming_the_key(tmp_path, update, message):
    config = write_config(tmp_path / "bad.yaml", update)
    result = snakemake(tmp_path, "-n", "--configfile", str(config))
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def test_every_problem_of_a_manifest_is_shown_when_snakemake_starts(tmp_path):
    (tmp_path / "m.csv").write_text("path,label,kind,split,group\n"
                                    "a.mp4,yes,real,train,a\n"
                                    "a.mp4,0,real,train,a\n"
                                    "b.mp4,1,swap,test,a\n")
    config = write_config(tmp_path / "mine.yaml", {
        "datasets": {"mine": {"layout": "manifest", "root": ".", "manifest": "m.csv",
                              "forgeries": ["swap"]}},
        "train": {"dataset": "mine", "forgeries": ["swap"]}})
    result = snakemake(tmp_path, "-n", "--configfile", str(config))
    assert result.returncode != 0
    assert ("  - datasets.mine: m.csv has 4 problem(s):\n"
            "      line 2: group 'a' is in more than one split: train (lines 2, 3), test (line 4)\n"
            "      line 2: label 'yes' is not 0 or 1\n"
            "      line 3: path 'a.mp4' repeats line 2\n"
            "      line 4: b.mp4 is not a file\n") in result.stdout + result.stderr


def test_both_depth_backends_run_side_by_side(run):
    results = run["workdir"] / "results"
    for kind in ("real", "FaceSwap"):
        with h5py.File(results / f"faces/demo/raw/{kind}/shard0.h5") as faces:
            crops = len(faces["crops"])
        for backend in ("landmark_mesh", "depth_anything"):
            with h5py.File(results / f"depth/demo/{backend}/raw/{kind}/shard0.h5") as depth:
                assert depth["depth"].shape == (crops, 48, 48)
                assert depth["depth"].attrs["backend"] == backend
    figure = cv2.imread(str(results / "figures" / "depth_samples.png"))
    assert figure is not None and figure.shape[0] > figure.shape[1]  # 4 crops x 3 columns
    log = (run["workdir"] / "logs" / "depth_figure" / "depth_figure.log").read_text()
    assert "4 crops x 2 depth backends drawn" in log


def test_the_figures_draw_this_runs_tables_and_predictions(run):
    results = run["workdir"] / "results"
    severity = read_csv(results / "figures/demo/severity_recompute.csv")
    robustness = read_csv(results / "tables/demo/robustness_recompute.csv")
    assert set(severity["level"]) == {0.0, 0.02} and set(severity["attack"]) == {"NSE"}
    swept = robustness[robustness["condition"] == "NSE@0.02"]
    drawn = severity[severity["level"] == 0.02]
    assert sorted(drawn["value"]) == pytest.approx(sorted(
        [*swept["frame_accuracy"], *swept["frame_auc"]]))
    roc = read_csv(results / "figures/demo/roc.csv")
    assert roc.groupby(["forgery", "model", "depth", "depth_input"]).ngroups == EVALUATIONS * 2
    for name in ("severity_recompute", "roc", "scores", "gradcam"):
        image = cv2.imread(str(results / "figures/demo" / f"{name}.png"))
        assert image is not None and image.std() > 10, name


def test_gradcam_shows_each_detector_on_the_same_faces_with_its_predictions(run):
    gradcam = read_csv(run["workdir"] / "results/figures/demo/gradcam.csv")
    faces = gradcam[["video", "kind", "frame"]].drop_duplicates()
    assert len(faces) == 4 and sorted(gradcam["label"].value_counts()) == [6, 6]
    assert gradcam.groupby(["detector", "stream", "layer"]).size().to_dict() == {
        ("mdn", "depth", "depth_tail.2 (BatchNormAct2d)"): 4,
        ("mdn", "rgb", "rgb_tail.2 (BatchNormAct2d)"): 4,
        ("rgb", "rgb", "backbone.bn2 (BatchNormAct2d)"): 4}
    runs = {"rgb": f"rgb/{BACKBONE}/none/seed42/demo/none.parquet",
            "mdn": f"mdn/{BACKBONE}/landmark_mesh/seed42/demo/recompute+zero.parquet"}
    for detector, path in runs.items():
        predictions = pd.read_parquet(run["workdir"] / "results/predictions/demo/raw/FaceSwap"
                                      / path)
        clean = predictions[(predictions["condition"] == "clean")
                            & predictions["depth_input"].isin(["none", "recompute"])]
        shown = gradcam[gradcam["detector"] == detector].drop_duplicates(
            ["video", "kind", "frame"]).merge(clean, on=["video", "kind", "frame"])
        assert len(shown) == 4
        np.testing.assert_allclose(shown["prob_fake_x"], shown["prob_fake_y"], atol=1e-4)


def test_the_whole_model_zoo_is_planned(run, tmp_path):
    zoo = write_config(tmp_path / "zoo.yaml", merged(TINY, {"train": {
        "models": ["rgb", "depth", "early", "late", "mid", "mdn"],
        "backbones": ["legacy_xception", "efficientnet_b0", "mobilenetv2_100", "resnet50"]}}))
    dry = snakemake(run["workdir"], "-n", "-p", "--configfile", str(zoo))
    assert dry.returncode == 0, dry.stderr[-3000:]
    weights = set(re.findall(r"--out-weights (\S+)", dry.stdout))
    # 4 backbones x (rgb + 5 depth readers x 2 depth backends) x (FaceSwap, ALL)
    assert len(weights) == 4 * (1 + 5 * 2) * 2
    assert ("results/models/demo/raw/ALL/mid/legacy_xception/depth_anything/seed42.safetensors"
            in weights)
    predictions = set(re.findall(r"--out (results/predictions/\S+)", dry.stdout))
    assert len(predictions) == len(weights)


def test_ffpp_at_three_compressions_is_hundreds_of_cluster_jobs(run, tmp_path):
    forgeries = ["Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures", "FaceShifter"]
    ffpp = {"root": "ffpp", "splits_dir": None, "forgeries": forgeries,
            "compressions": ["raw", "c23", "c40"], "shards_per_kind": 8, "build_demo": None}
    here = DatasetSettings(**{**ffpp, "root": str(run["workdir"] / "ffpp")})
    for compression in ffpp["compressions"]:  # empty files: enough for a plan
        for kind in ("real", *forgeries):
            for video in list_videos(here, kind, compression):
                Path(video.path).parent.mkdir(parents=True, exist_ok=True)
                Path(video.path).touch()
    config = write_config(tmp_path / "ffpp.yaml", merged(TINY, {
        "datasets": {"ffpp": ffpp}, "depth": {"backends": ["landmark_mesh"]},
        "train": {"dataset": "ffpp", "forgeries": [*forgeries[:4], "ALL"]}}))
    planned = planned_jobs(run["workdir"], config)
    shards = 6 * 3 * 8  # kinds x compressions x shards per kind
    cells = 5 * 3  # forgeries x compressions
    assert planned == {"extract_frames": shards, "crop_faces": shards, "estimate_depth": shards,
                       "face_report": 1, "check_faces": 6 * 3, "train": cells * 2,
                       "evaluate": cells * 2, "column_statistics": cells,
                       "tables": 1, "figures": 1, "gradcam": 1, "depth_figure": 1,
                       "collect_skips": 1, "all": 1}
    # profiles/slurm runs each shard's extraction and cropping in one cluster job
    slurm = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    groups = slurm["groups"]
    assert groups["extract_frames"] == groups["crop_faces"]
    assert slurm["group-components"][groups["crop_faces"]] == 1
    cluster_jobs = sum(planned.values()) - planned["all"] - planned["crop_faces"]
    assert cluster_jobs == 372 + cells


def test_bundles_score_the_test_videos_as_evaluation_did(run, tmp_path):
    """Each detector of a cell exported as a bundle and pointed at the cell's test videos
    gives the evaluation's clean per-frame probabilities; the detect target scores a folder
    and is all that a detect setting reruns."""
    workdir, cell = run["workdir"], "demo/raw/FaceSwap"
    runs = [f"rgb/{BACKBONE}/none/seed42", f"mdn/{BACKBONE}/landmark_mesh/seed42",
            f"mdn/{BACKBONE}/depth_anything/seed42"]
    bundles = [f"results/bundles/{cell}/{r}" for r in runs]
    exported = snakemake(workdir, *bundles, "--cores", "2", "--configfile", str(run["config"]))
    assert exported.returncode == 0, exported.stderr[-3000:]
    pairs = json.loads((workdir / "data/splits/test.json").read_text())
    tree = workdir / "data"
    videos = {**{(v, "real"): tree / f"original_sequences/youtube/raw/videos/{v}.mp4"
                 for pair in pairs for v in pair},
              **{(f"{a}_{b}", "FaceSwap"): tree / f"manipulated_sequences/FaceSwap/raw/videos/"
                 f"{a}_{b}.mp4" for t, s in pairs for a, b in ((t, s), (s, t))}}
    for name, bundle in zip(runs, bundles, strict=True):
        out = tmp_path / name.replace("/", "_")
        result = subprocess.run(
            [str(Path(SNAKEMAKE[0]).parent / "depthfake"), "detect", *map(str, videos.values()),
             "--model", bundle, "--out", str(out)], cwd=workdir, capture_output=True,
            text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        outcomes = read_csv(out / "videos.csv")
        scored = []
        for (video, kind), path in videos.items():
            page = out / outcomes.set_index("video").loc[str(path), "page"]
            frames = pd.read_csv(page.parent / "frames.csv", comment="#")
            scored.append(frames[frames["has_face"]].assign(video=video, kind=kind))
        detected = pd.concat(scored)
        evaluated = pd.read_parquet(next((workdir / f"results/predictions/{cell}/{name}/demo")
                                         .glob("*.parquet")))
        clean = evaluated[(evaluated["condition"] == "clean")
                          & evaluated["depth_input"].isin(["estimated", "none"])]
        both = clean.merge(detected, on=["video", "kind", "frame"], how="outer",
                           suffixes=("", "_detected"), indicator=True)
        assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
        assert (both["prob_fake"] - both["prob_fake_detected"]).abs().max() < 1e-4, name
        card = (workdir / bundle / "README.md").read_text()
        assert "its verdicts mean nothing" in card
    folder = tmp_path / "my videos"
    folder.mkdir()
    for path in list(videos.values())[:2]:
        shutil.copyfile(path, folder / path.name)
    target = {"detect": {"bundle": bundles[1], "videos": str(folder)}}
    config = write_config(tmp_path / "detect.yaml", merged(TINY, target))
    result = snakemake(workdir, "detect", "--cores", "2", "--configfile", str(config))
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(read_csv(workdir / "results/detections/videos.csv")) == 2
    changed = write_config(tmp_path / "frames.yaml", merged(TINY, with_key(target,
                                                                           "detect.frames", 5)))
    planned = snakemake(workdir, "-n", "detect", "--configfile", str(changed))
    assert re.findall(r"^(\w+)\s+\d+$", planned.stdout.split("Job stats:")[1].split("total")[0],
                      re.MULTILINE) == ["detect"]
    assert planned_jobs(workdir, changed) == {}  # the default target: nothing
