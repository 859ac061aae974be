"""Every setting is defined once: config, schema, command lines and defaults agree."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from typing import get_args

import pytest
import yaml
from pydantic import BaseModel

from depthfake.plan.catalogue import DEPTH_BACKENDS, DEPTH_READERS, DETECTORS, FACE_BACKENDS
from depthfake.settings import (
    NO_DEPTH,
    AttackSettings,
    BackboneOptions,
    DatasetSource,
    DemoSettings,
    DepthBackendOptions,
    EvaluateSettings,
    FaceBackendOptions,
    FaceSettings,
    FrameSettings,
    TrainSection,
    TrainSettings,
    WorkflowConfig,
    add_arguments,
    from_args,
    load_config,
    to_cli,
)
from depthfake.settings.reference import config_keys, config_reference
from depthfake.settings.schema import SCHEMA_COMMAND, config_schema_yaml

from conftest import REPO

# Keys where the demo (config.yaml) departs from the library's defaults (the paper's values),
# on purpose: a miniature data set, a small model from scratch, two CPU cores.
DEMO_CHOICES = {
    "datasets.demo.splits_dir": "the demo writes its own splits",
    "datasets.demo.forgeries": "the demo has two manipulations",
    "datasets.demo.build_demo": "the demo data set is built, not downloaded",
    "datasets.demo.frames": "10 frames per video keep the demo within its time budget",
    "datasets.demo.faces": "demo faces are about 124 px wide: HOG needs no upsampling",
    "faces.crop_size": "64 px crops keep the demo within its time budget",
    "train.forgeries": "FaceSwap and ALL (Face2Face within ALL): the time budget",
    "train.backbones": "a tiny backbone for two CPU cores",
    "train.backbone_options": "the demo's backbone listed with its settings",
    "train.pretrained": "offline: no ImageNet weights",
    "train.optimizer": "SGD generalises better from scratch (docs/results.md)",
    "train.epochs": "8 epochs keep the demo within its time budget",
    "train.batch_size": "a small data set",
    "train.lr": "SGD's learning rate",
    "train.weight_decay": "regularises training from scratch",
    "train.effective_batch": "a small data set: one optimizer step per batch of 16",
    "train.warmup_epochs": "from scratch, the first epoch's large steps made the loss spike",
    "train.schedule": "cosine to 0 settles the last epochs",
    "train.clip_grad_norm": "bounds the steps that made the validation loss spike",
    "train.ema_decay": "the weight average smooths the validation loss between epochs",
    "train.workers": "64 px crops: reading in the training process beats starting loaders",
    "evaluate.depth_modes": "both modes, a robustness table each, on the first run",
    **{f"evaluate.sweeps.{attack}": "fewer sweep levels keep the demo within its time budget"
       for attack in ("BLR", "NSE", "RSC", "TRN", "JPG")},
}
# Keys without a library default.
REQUIRED = {"datasets.demo.root", "train.dataset"}
STEP_SETTINGS = [DatasetSource, DemoSettings, FrameSettings, FaceSettings, DepthBackendOptions,
                 BackboneOptions, TrainSettings, EvaluateSettings]


def differences(model: BaseModel, prefix: str = "") -> dict[str, object]:
    """Keys whose value differs from the field's default ('required' without a default);
    sections and maps of sections are compared key by key."""
    found: dict[str, object] = {}
    for name, field in type(model).model_fields.items():
        key, value = f"{prefix}{name}", getattr(model, name)
        default = None if field.is_required() else field.get_default()
        sections = value.items() if isinstance(value, dict) else []
        if isinstance(value, BaseModel) or any(isinstance(v, BaseModel) for _, v in sections):
            if not field.is_required() and not isinstance(default, BaseModel) and value != default:
                found[key] = value  # a section or map of sections that is off by default
            nested = [("", value)] if isinstance(value, BaseModel) else [
                (f"{entry}.", v) for entry, v in sections]
            for entry, section in nested:
                found |= differences(section, f"{key}.{entry}")
        elif field.is_required():
            found[key] = "required"
        elif value != default:
            found[key] = value
    return found


def demo_config() -> WorkflowConfig:
    return load_config(yaml.safe_load((REPO / "config.yaml").read_text()))


def written_keys(values: dict, documented: set[str], prefix: str = "") -> set[str]:
    """The keys a config file writes: its leaves, and the documented keys whose value is a
    section or map (written whole)."""
    keys = set()
    for key, value in values.items():
        if isinstance(value, dict) and prefix + key not in documented:
            keys |= written_keys(value, documented, f"{prefix}{key}.")
        else:
            keys.add(prefix + key)
    return keys


def test_demo_config_differs_from_the_defaults_only_where_documented():
    found = differences(demo_config())
    assert {k for k, v in found.items() if v == "required"} == REQUIRED
    assert {k for k, v in found.items() if v != "required"} == set(DEMO_CHOICES)
    documented = REQUIRED | set(DEMO_CHOICES)  # and config.yaml writes only those
    written = written_keys(yaml.safe_load((REPO / "config.yaml").read_text()), documented)
    assert written == documented, f"not demo choices: {sorted(written - documented)}"


def test_every_setting_has_an_example():
    """The example is the value the rerun test (tests/test_workflow.py) changes a key to."""
    assert [item.key for item in config_keys() if item.kind == "value"
            and not item.field.examples] == []
    assert len([item for item in config_keys() if item.kind == "value"]) > 80


def test_the_config_reference_lists_every_key_with_its_type_and_reruns():
    reference = config_reference({"datasets.<name>.frames.per_video": "extract_frames",
                                  "train.epochs": "train, evaluate"})
    assert "| `datasets.<name>.faces` | map of `faces` keys |" in reference
    assert "| `train.backbone_options.<backbone>.split_block` | int, ≥ 1, or null | `null` |" \
        in reference
    assert "| `datasets.<name>.frames` | map of `frames` keys |" in reference
    assert reference.count("`per_video`: extract_frames |") == 1
    assert re.search(r"^\| `train.epochs` \|.*\| train, evaluate \|$", reference, re.M)
    assert reference.count("\n| `") == len(config_keys())


@pytest.mark.parametrize("model", STEP_SETTINGS, ids=lambda m: m.__name__)
def test_settings_round_trip_through_the_command_line(model):
    parser = argparse.ArgumentParser()
    add_arguments(parser, model)
    required = {"root": "data/x"} if model is DatasetSource else {}
    defaults = model(**required)
    assert from_args(model, parser.parse_args(to_cli(defaults.model_dump()).split())) == defaults
    changed = {}
    for name in model.model_fields:  # every scalar setting moved off its default
        value = getattr(defaults, name)
        if isinstance(value, bool):
            changed[name] = not value
        elif isinstance(value, int | float):
            changed[name] = value + 2 if isinstance(value, int) else value * 1.1
    other = model.model_validate({**defaults.model_dump(), **changed})
    assert from_args(model, parser.parse_args(to_cli(other.model_dump()).split())) == other
    nulls = {name: None for name, field in model.model_fields.items()  # null reaches the step
             if type(None) in get_args(field.annotation) and getattr(other, name) is not None}
    nulled = model.model_validate({**other.model_dump(), **nulls})
    assert from_args(model, parser.parse_args(to_cli(nulled.model_dump()).split())) == nulled
    assert other != defaults or not changed


def test_options_left_out_take_the_library_defaults():
    parser = argparse.ArgumentParser()
    add_arguments(parser, FaceSettings)
    assert from_args(FaceSettings, parser.parse_args([])) == FaceSettings()
    assert FaceSettings().crop_size == 224 and FrameSettings().per_video == 32


def test_a_bad_value_on_the_command_line_names_the_setting():
    parser = argparse.ArgumentParser()
    add_arguments(parser, TrainSettings)
    with pytest.raises(SystemExit, match="epochs"):
        from_args(TrainSettings, parser.parse_args(["--epochs", "0"]))


def test_backend_options_are_keyed_by_registered_names():
    assert set(FaceBackendOptions.model_fields) == set(FACE_BACKENDS.names())
    assert set(DepthBackendOptions.model_fields) == set(DEPTH_BACKENDS.names())
    assert set(DETECTORS.names()) >= DEPTH_READERS
    assert NO_DEPTH not in DEPTH_BACKENDS.names()  # the depth folder of models without depth


def test_unknown_names_fail_listing_the_known_ones():
    values = yaml.safe_load((REPO / "config.yaml").read_text())
    values["train"]["models"] = ["rgb", "mdm"]
    values.setdefault("depth", {})["backends"] = ["midas"]
    with pytest.raises(ValueError) as err:
        load_config(values)
    assert "train.models.1" in str(err.value) and "'late', 'mdn', 'mid' or 'rgb'" in str(err.value)
    assert "depth.backends.0" in str(err.value) and "landmark_mesh" in str(err.value)


def test_attack_settings_are_checked():
    with pytest.raises(ValueError, match="must be odd"):
        AttackSettings(blur_kernel=4)
    with pytest.raises(ValueError, match="blur_sigma_min 5.0 > blur_sigma_max 3.0"):
        AttackSettings(blur_sigma_min=5.0, blur_sigma_max=3.0)


def test_sweep_levels_that_rounding_leaves_clean_are_refused_at_the_crop_size():
    values = yaml.safe_load((REPO / "config.yaml").read_text())
    values["evaluate"]["sweeps"] = {"NSE": [0.0002, 0.011], "TRN": [0.005, 0.05]}
    crop_size = values["faces"]["crop_size"]
    with pytest.raises(ValueError, match=rf"at faces.crop_size {crop_size}, rounding to uint8 "
                       r"pixels leaves TRN@0.005: shifts of at most 0.32 px round to none; "
                       r"NSE@0.0002: changes 1.1e-22 of the pixels: each is the clean set"):
        load_config(values)
    values["faces"]["crop_size"] = 224  # 1.12 px: some shifts round to a whole pixel
    values["evaluate"]["sweeps"]["NSE"] = [0.011]
    assert load_config(values).evaluate.sweeps.TRN == [0.005, 0.05]


def test_options_of_a_backbone_outside_the_grid_are_reported():
    section = TrainSection(dataset="demo", backbones=["mobilenetv2_050"],
                           backbone_options={"mobilenetv2_05": BackboneOptions(split_block=2)})
    assert section.unused_backbone_options() == ["mobilenetv2_05"]
    assert section.backbone("mobilenetv2_050") == BackboneOptions()


def with_dataset(name: str, **entries: object) -> dict:
    """config.yaml with a real FF++ data set `name` (its `entries` added) beside the demo."""
    values = yaml.safe_load((REPO / "config.yaml").read_text())
    values["datasets"][name] = {"root": "/data/ffpp", "splits_dir": None, **entries}
    return values


def test_a_real_data_set_gets_real_data_frame_and_face_settings():
    config = load_config(with_dataset("ffpp"))
    assert config.frames_of("ffpp") == FrameSettings(per_video=32)
    faces = config.faces_of("ffpp")
    assert (faces.backend, faces.dlib_cascade.upsample, faces.dlib.upsample) == (
        "dlib_cascade", 1, 1)
    assert config.faces_of("ffpp").crop_size == config.faces_of("demo").crop_size == 64


def test_the_demo_alone_gets_its_speed_ups():
    config = load_config(with_dataset("ffpp", faces={"backend": "dlib_cnn"}))
    assert config.frames_of("demo") == FrameSettings(per_video=10)
    demo = config.faces_of("demo")
    assert (demo.backend, demo.dlib.upsample, demo.dlib_cnn.upsample) == ("dlib", 0, 1)
    ffpp = config.faces_of("ffpp")
    assert (ffpp.backend, ffpp.dlib.upsample, ffpp.min_face_share) == ("dlib_cnn", 1, 0.25)


@pytest.mark.parametrize("key", ["crop_size", "scale"])
def test_settings_that_shape_the_crops_are_refused_per_data_set(key):
    with pytest.raises(ValueError, match=rf"datasets\.ffpp\.faces\.{key}: shapes the crops "
                       rf"every model reads.*set faces\.{key} instead"):
        load_config(with_dataset("ffpp", faces={key: 2}))


def test_a_bad_setting_under_a_data_set_names_its_key():
    with pytest.raises(ValueError) as err:
        load_config(with_dataset("ffpp", frames={"per_vidoe": 8}, faces={"dlib": {"upsample": 9}}))
    assert "datasets.ffpp.frames.per_vidoe: Extra inputs are not permitted" in str(err.value)
    assert "datasets.ffpp.faces.dlib.upsample: Input should be less than or equal to 3" in str(
        err.value)


def test_cross_references_are_checked():
    values = yaml.safe_load((REPO / "config.yaml").read_text())
    values["train"]["dataset"] = "ffpp"
    with pytest.raises(ValueError, match="train.dataset names 'ffpp'; the data sets are"):
        load_config(values)


def test_what_the_workflow_imports_is_light():
    code = ("import sys, depthfake.settings, depthfake.settings.reference, "
            "depthfake.plan.catalogue, depthfake.plan._timm_names, depthfake.plan.provenance; "
            "heavy = {'torch', 'cv2', 'dlib', 'transformers', 'timm', 'numpy', 'pandas'}; "
            "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO / "pipeline_steps")
    assert result.stdout.strip() == "[]"


def test_schema_file_is_generated_from_the_settings():
    path = REPO / "workflow" / "schemas" / "config.schema.yaml"
    assert path.read_text() == config_schema_yaml(), f"regenerate: {SCHEMA_COMMAND}"


def test_backbone_names_are_checked_from_a_cache_without_importing_timm(tmp_path):
    code = ("import sys; from depthfake.plan._timm_names import unknown_backbones, "
            "unsplittable_backbones as unsplittable; names = ['mobilenetv2_050', "
            "'efficientnet_b0.ra_in1k', 'resnet9x', 'legacy_xception', 'resnet50', "
            "'convnext_atto']; print(unknown_backbones(names), unsplittable(names), "
            "'timm' in sys.modules)")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, cwd=REPO / "pipeline_steps", env=env).stdout.strip()
            for _ in range(2)]
    found = "['resnet9x'] ['convnext_atto']"
    assert runs == [f"{found} True", f"{found} False"]  # timm imported once only
