"""The plan of a run (depthfake.plan), on validated configs, without Snakemake: the grid,
the files each job reads, each step's options and the checks made before any job."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from depthfake.plan.grid import OutputPatterns, RunPlan, expand
from depthfake.plan.resources import depth_gpus, face_gpus
from depthfake.plan.startup import check_run
from depthfake.plan.step_options import StepOptions
from depthfake.settings import load_config, merged

from conftest import REPO

PATTERNS = OutputPatterns(
    frame_skips="skips/frames/{dataset}/{compression}/{kind}/{shard}",
    face_index="index/{dataset}/{compression}/{kind}/{shard}",
    faces="faces/{dataset}/{compression}/{kind}/{shard}",
    face_skips="skips/faces/{dataset}/{compression}/{kind}/{shard}",
    face_check="checks/{dataset}/{compression}/{kind}",
    depth="depth/{dataset}/{depth}/{compression}/{kind}/{shard}",
    weights="w/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/{seed}",
    meta="m/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/{seed}",
    predictions="p/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/{seed}/"
                "{test_dataset}/{depth_inputs}",
    validation="v/{dataset}/{compression}/{forgery}/{model}/{backbone}/{depth}/{seed}",
    robustness="t/{dataset}/robustness_{mode}",
)
CELEBDF = {"layout": "celebdf", "root": "celebdf"}


def plan_of(update: dict | None = None) -> RunPlan:
    demo = yaml.safe_load((REPO / "config.yaml").read_text())
    return RunPlan(load_config(merged(demo, update or {})))


def test_expand_varies_the_last_key_fastest():
    assert expand("{a}-{b}-{c}", a=["x", "y"], b=1, c=[0, 1]) == [
        "x-1-0", "x-1-1", "y-1-0", "y-1-1"]


def test_models_that_read_no_depth_do_not_multiply_by_depth_backends():
    plan = plan_of({"depth": {"backends": ["landmark_mesh", "depth_anything"]},
                    "train": {"seeds": [1, 2]}})
    runs = {(r["model"], r["depth"], r["seed"]) for r in plan.runs()}
    assert runs == {("rgb", "none", 1), ("rgb", "none", 2),
                    *{("mdn", d, s) for d in ("landmark_mesh", "depth_anything")
                      for s in (1, 2)}}
    assert plan.table_rows() == ["rgb/test_efficientnet/none",
                                 "mdn/test_efficientnet/landmark_mesh",
                                 "mdn/test_efficientnet/depth_anything"]


def test_the_demo_grid_evaluates_each_run_at_each_compression_and_forgery():
    plan = plan_of()
    cells = plan.evaluations()
    assert len(cells) == 2 * 2 * 2  # compressions x forgeries x runs
    mdn = next(c for c in cells if c["model"] == "mdn")
    assert mdn == dict(dataset="demo", compression="raw", forgery="FaceSwap",
                       test_dataset="demo", depth_inputs="recompute+perturb+zero",
                       model="mdn", backbone="test_efficientnet", depth="landmark_mesh",
                       seed=42)
    rgb = next(c for c in cells if c["model"] == "rgb")
    assert rgb["depth_inputs"] == "none"
    assert plan.read_slices() == sorted(
        ("demo", level, kind) for level in ("raw", "c40")
        for kind in ("real", "FaceSwap", "Face2Face"))


def test_a_data_set_in_one_quality_is_tested_at_none_with_all_its_fakes():
    plan = plan_of({"datasets": {"celebdf": CELEBDF},
                    "evaluate": {"datasets": ["demo", "celebdf"]}})
    assert plan.test_compression("celebdf", "c40") == "none"
    assert plan.tested_forgery("celebdf", "FaceSwap") == "ALL"
    assert plan.needed_splits("celebdf") == {"test"}
    assert plan.needed_splits("demo") == {"train", "val", "test"}
    assert ("celebdf", "none", "Celeb-synthesis") in plan.read_slices()
    tested = plan.test_files(PATTERNS, test_dataset="celebdf", compression="raw",
                             forgery="FaceSwap", model="mdn", depth="landmark_mesh")
    assert tested["index"] == ["index/celebdf/none/real/0",
                               "index/celebdf/none/Celeb-synthesis/0"]
    assert tested["depth"] == ["depth/celebdf/landmark_mesh/none/real/0",
                               "depth/celebdf/landmark_mesh/none/Celeb-synthesis/0"]


def test_a_cell_reads_its_kinds_shard_by_shard_and_its_slices_checks():
    plan = plan_of({"datasets": {"demo": {"shards_per_kind": 2}}})
    files = plan.face_files(PATTERNS, dataset="demo", compression="c40", forgery="ALL",
                            model="rgb", depth="none")
    assert files["faces"] == [f"faces/demo/c40/{kind}/{shard}"
                              for kind in ("real", "FaceSwap", "Face2Face")
                              for shard in (0, 1)]
    assert files["checks"] == ["checks/demo/c40/real", "checks/demo/c40/FaceSwap",
                               "checks/demo/c40/Face2Face"]
    assert "depth" not in files  # the RGB model reads none
    assert len(plan.per_shard(PATTERNS.face_skips)) == 6 * 2
    assert plan.slice_indices(PATTERNS, dataset="demo", compression="raw", kind="real") == [
        "index/demo/raw/real/0", "index/demo/raw/real/1"]


def test_gradcam_shows_every_model_of_its_cell_at_the_first_run_settings():
    plan = plan_of({"figures": {"gradcam": {"compression": "c40", "forgery": "ALL"}}})
    assert plan.gradcam_cell("demo") == dict(dataset="demo", compression="c40", forgery="ALL")
    files = plan.gradcam_files(PATTERNS, "demo")
    assert files["weights"] == ["w/demo/c40/ALL/rgb/test_efficientnet/none/42",
                                "w/demo/c40/ALL/mdn/test_efficientnet/landmark_mesh/42"]
    assert files["depth"][0] == "depth/demo/landmark_mesh/c40/real/0"
    figure = plan.depth_figure_files(PATTERNS)
    assert figure["faces"] == ["faces/demo/raw/real/0", "faces/demo/raw/FaceSwap/0"]


def test_a_bundle_reads_its_run_its_own_data_sets_predictions_and_the_tables():
    run = dict(dataset="demo", compression="raw", forgery="ALL", backbone="b", seed=42)
    mdn = plan_of().bundle_files(PATTERNS, model="mdn", depth="landmark_mesh", **run)
    assert mdn["validation"] == "v/demo/raw/ALL/mdn/b/landmark_mesh/42"
    assert mdn["predictions"] == "p/demo/raw/ALL/mdn/b/landmark_mesh/42/demo/recompute+perturb+zero"
    assert mdn["robustness"] == ["t/demo/robustness_recompute", "t/demo/robustness_perturb"]
    assert mdn["depth_file"] == "depth/demo/landmark_mesh/raw/real/0"
    rgb = plan_of().bundle_files(PATTERNS, model="rgb", depth="none", **run)
    assert "depth_file" not in rgb and rgb["predictions"].endswith("/demo/none")
    elsewhere = plan_of({"datasets": {"other": CELEBDF}, "evaluate": {"datasets": ["other"]}})
    with pytest.raises(ValueError, match="add 'demo' to evaluate.datasets"):
        elsewhere.bundle_files(PATTERNS, model="rgb", depth="none", **run)


def test_the_detect_target_reads_the_listed_videos_and_a_local_bundle(tmp_path):
    (tmp_path / "videos").mkdir()
    for name in ("b.mp4", "a.MOV", "notes.txt"):
        (tmp_path / "videos" / name).touch()
    listing = tmp_path / "list.txt"
    listing.write_text("# mine\nvideos/b.mp4\n\n/data/x.avi\n")
    for videos, expected in ((tmp_path / "videos", ["videos/a.MOV", "videos/b.mp4"]),
                             (listing, ["videos/b.mp4", "/data/x.avi", "list.txt"])):
        options = StepOptions(plan_of({"detect": {"bundle": "results/bundles/x",
                                                  "videos": str(videos)}}))
        files = options.detect_files()
        assert [f.replace(f"{tmp_path}/", "") for f in files["videos"]] == expected
        assert files["bundle"] == "results/bundles/x"
    hub = StepOptions(plan_of({"detect": {"bundle": "lab/name", "videos": str(listing)}}))
    assert "bundle" not in hub.detect_files()  # fetched by the step
    with pytest.raises(ValueError, match="detect.bundle"):
        StepOptions(plan_of()).detect_files()


def test_a_job_gets_only_the_settings_it_reads():
    options = StepOptions(plan_of())
    assert "--real-source youtube" in options.extract(dataset="demo", kind="real")
    assert "--real-source" not in options.extract(dataset="demo", kind="FaceSwap")
    assert "--per-video 10" in options.extract(dataset="demo", kind="real")  # the demo's own
    faces = options.faces(dataset="demo")
    assert "--backend dlib " in faces and "--dlib-upsample 0" in faces
    assert "--dlib-cnn" not in faces and "--face-alignment" not in faces
    train = options.train(model="rgb", backbone="test_efficientnet")
    assert "--optimizer sgd" in train and "--momentum" in train  # the demo trains with SGD
    assert "--split-block" not in train and "--scheduler-factor" not in train  # cosine
    assert "--split-block" in options.train(model="mdn", backbone="test_efficientnet")
    assert options.face_loss(dataset="demo") == "--min-face-share 0.25 --max-face-loss 0.1"
    assert options.train_launcher() == "python"
    assert options.dataset_files(dataset="demo") == "data/demo-ffpp/manifest.csv"
    assert options.demo_roots() == r"data/demo\-ffpp"


def test_gpus_are_asked_for_only_where_a_job_uses_one():
    plan = plan_of({"datasets": {"celebdf": CELEBDF},
                    "faces": {"backend": "face_alignment",
                              "face_alignment": {"device": "cuda"}},
                    "depth": {"depth_anything": {"device": "cuda"}}})
    assert face_gpus(plan.config, "demo") == 0  # the demo has its own backend, dlib
    assert face_gpus(plan.config, "celebdf") == 1
    assert depth_gpus(plan.config, "depth_anything") == 1
    assert depth_gpus(plan.config, "landmark_mesh") == 0


def test_the_checks_before_any_job_name_every_missing_data_set_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = plan_of({"datasets": {"celebdf": CELEBDF},
                    "evaluate": {"datasets": ["demo", "celebdf"]}})
    warnings = []
    with pytest.raises(ValueError, match="the data sets on disk do not match") as err:
        check_run(plan, warn=warnings.append)
    assert "celebdf" in str(err.value) and "missing_videos: skip" in str(err.value)
    assert warnings == []


def test_options_for_a_backbone_outside_the_grid_are_a_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = plan_of({"train": {"backbone_options": {"resnet18": {"split_block": 2}}}})
    warnings = []
    check_run(plan, warn=warnings.append)
    assert len(warnings) == 1 and "['resnet18']" in warnings[0]


def test_the_plan_imports_without_snakemake_or_torch():
    blocked = "; ".join(f"sys.modules[{name!r}] = None" for name in ("snakemake", "torch", "cv2"))
    modules = ", ".join(f"depthfake.plan.{m}" for m in ("grid", "step_options", "startup"))
    result = subprocess.run([sys.executable, "-c", f"import sys; {blocked}; import {modules}"],
                            capture_output=True, text=True, cwd=REPO / "pipeline_steps")
    assert result.returncode == 0, result.stderr
