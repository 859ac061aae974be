"""The whole workflow on a tiny demo with a truncated and a face-less video; reruns; config."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from depthfake.video import write_h264

from conftest import REPO

pytestmark = pytest.mark.workflow
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile")]
TINY = {
    "dataset": {"root": "data", "splits_dir": "data/splits", "compressions": ["raw"]},
    "demo": {"build": False},
    "frames": {"per_video": 3},
    "faces": {"crop_size": 48},
    "train": {"forgeries": ["FaceSwap", "ALL"], "epochs": 1, "batch_size": 16},
}


def merged(base: dict, update: dict) -> dict:
    out = dict(base)
    for key, value in update.items():
        out[key] = merged(base.get(key, {}), value) if isinstance(value, dict) else value
    return out


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return subprocess.run([*SNAKEMAKE, "-d", str(workdir), *args], capture_output=True,
                          text=True, env=env)


def scheduled_rules(workdir: Path, configfile: Path) -> set[str]:
    """Rules that `snakemake -n` would run with `configfile`."""
    result = snakemake(workdir, "-n", "--configfile", str(configfile))
    assert result.returncode == 0, result.stderr
    stats = result.stdout.split("Job stats:")[1].split("total")[0]
    return set(re.findall(r"^(\w+)\s+\d+$", stats, flags=re.MULTILINE))


def write_config(path: Path, update: dict) -> Path:
    base = yaml.safe_load((REPO / "config.yaml").read_text())
    path.write_text(yaml.safe_dump(merged(base, update)))
    return path


def faceless_video(path: Path) -> None:
    ramp = np.linspace(0, 255, 128, dtype=np.uint8)
    write_h264(path, [np.dstack([np.roll(np.tile(ramp, (96, 1)), 4 * i, axis=1)] * 3)
                      for i in range(8)], fps=25, crf=0)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    """A finished run on a tiny demo where one train real is truncated and one train fake
    shows no face."""
    workdir = tmp_path_factory.mktemp("workflow")
    subprocess.run([sys.executable, str(REPO / "pipeline_steps" / "demo_dataset.py"),
                    "--out", str(workdir / "data"), "--reals-per-person", "2",
                    "--frames-per-clip", "8"], check=True, capture_output=True)
    target, source = json.loads((workdir / "data" / "splits" / "train.json").read_text())[0]
    truncated = workdir / "data/original_sequences/youtube/raw/videos" / f"{target}.mp4"
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 3])
    faceless = f"{target}_{source}"
    faceless_video(workdir / "data/manipulated_sequences/FaceSwap/raw/videos" / f"{faceless}.mp4")
    config = write_config(workdir / "config.yaml", TINY)
    result = snakemake(workdir, "--cores", "2", "--configfile", str(config))
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(workdir=workdir, config=config, truncated=target, faceless=faceless)


def test_tables_have_a_number_in_every_cell(run):
    tables = run["workdir"] / "results" / "tables"
    detection = pd.read_csv(tables / "detection.csv")
    assert len(detection) == 2 * 2  # models x forgeries x one compression
    assert detection[["accuracy", "auc"]].notna().all().all()
    assert ((detection["accuracy"] >= 0) & (detection["accuracy"] <= 100)).all()
    robustness = pd.read_csv(tables / "robustness.csv")
    assert len(robustness) == 2 * 2 * 5
    assert robustness[["accuracy", "auc"]].notna().all().all()
    for name in ("detection.md", "robustness.md"):
        assert "n/a" not in (tables / name).read_text()


def test_bad_videos_are_recorded_and_left_out(run):
    skipped = pd.read_csv(run["workdir"] / "results" / "skipped.csv", dtype=str)
    truncated = skipped[skipped["video"] == run["truncated"]]
    assert truncated[["kind", "stage"]].values.tolist() == [["real", "extract_frames"]]
    assert truncated["reason"].str.contains("frame").all()
    faceless = skipped[skipped["video"] == run["faceless"]]
    assert faceless[["kind", "stage"]].values.tolist() == [["FaceSwap", "crop_faces"]]
    assert faceless["reason"].str.contains("no face detected").all()
    assert len(skipped) == 2
    faces = pd.read_parquet(run["workdir"] / "results/faces/raw/FaceSwap/shard0.parquet")
    marked = faces[faces["video"] == run["faceless"]]
    assert len(marked) == 3 and not marked["has_face"].any() and (marked["row"] == -1).all()
    frames = pd.read_parquet(run["workdir"] / "results/frames/raw/real/shard0.parquet")
    assert run["truncated"] not in set(frames["video"])
    predictions = pd.read_parquet(run["workdir"] / "results/predictions/raw/ALL/mdn.parquet")
    assert run["faceless"] not in set(predictions["video"])


def test_attack_change_reruns_only_evaluation(run, tmp_path):
    changed = write_config(tmp_path / "c.yaml", merged(TINY, {
        "evaluate": {"attacks": {"blur_sigma_max": 6.0}}}))
    assert scheduled_rules(run["workdir"], changed) == {"evaluate", "tables", "all"}


def test_crop_size_change_reruns_from_cropping(run, tmp_path):
    changed = write_config(tmp_path / "c.yaml", merged(TINY, {"faces": {"crop_size": 56}}))
    assert scheduled_rules(run["workdir"], changed) == {  # skip records come from crop_faces too
        "crop_faces", "estimate_depth", "train", "evaluate", "tables", "collect_skips", "all"}


def test_unchanged_config_schedules_nothing(run):
    result = snakemake(run["workdir"], "-n", "--configfile", str(run["config"]))
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.parametrize("update,message", [
    ({"frames": {"per_vidoe": 8}}, "per_vidoe"),
    ({"faces": {"crop_size": "big"}}, "crop_size"),
])
def test_bad_config_fails_at_once_naming_the_key(tmp_path, update, message):
    config = write_config(tmp_path / "bad.yaml", update)
    result = snakemake(tmp_path, "-n", "--configfile", str(config))
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
