"""The tiny workflow the workflow tests share: a demo of 2 reals per person, 3 frames per video,
48 px crops, both depth backends, one epoch; one train real truncated, one train fake face-less
(1 of its slice's 6 videos, within the tiny datasets.demo.max_face_loss)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import yaml

from depthfake.datasets.video import write_h264
from depthfake.settings import merged
from depthfake.synthetic.depth_model import save_random_depth_anything

from conftest import REPO

BACKBONE = yaml.safe_load((REPO / "config.yaml").read_text())["train"]["backbones"][0]
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile")]
# Every tiny data set's frames: the demo's (its own entry replaces the top level) and others'.
FRAMES = {"per_video": 3}
TINY = {
    "datasets": {"demo": {"root": "data", "splits_dir": "data/splits", "compressions": ["raw"],
                          "build_demo": {"reals_per_person": 2, "frames_per_clip": 8},
                          "max_face_loss": 0.2,  # the face-less fake: 1 of 6 FaceSwap
                          "frames": FRAMES}},
    "frames": FRAMES,
    "faces": {"crop_size": 48},
    "depth": {"backends": ["landmark_mesh", "depth_anything"],
              "depth_anything": {"model": "tiny-depth", "input_size": 28, "batch_size": 8,
                                 "device": "cpu"}},
    "train": {"forgeries": ["FaceSwap", "ALL"], "epochs": 1, "batch_size": 4,
              "effective_batch": None},
    "evaluate": {"depth_modes": ["recompute"],
                 "sweeps": {"BLR": [], "NSE": [0.02], "RSC": [], "TRN": [], "JPG": []}},
}


def snakemake(workdir: Path, *args: str, timeout: float | None = None
              ) -> subprocess.CompletedProcess:
    """Snakemake on `workdir`, with this interpreter's environment first on PATH; a run past
    `timeout` seconds is killed (subprocess.TimeoutExpired)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    return subprocess.run([*SNAKEMAKE, "-d", str(workdir), *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def write_config(path: Path, update: dict) -> Path:
    base = yaml.safe_load((REPO / "config.yaml").read_text())
    path.write_text(yaml.safe_dump(merged(base, update)))
    return path


def faceless_video(path: Path) -> None:
    ramp = np.linspace(0, 255, 128, dtype=np.uint8)
    write_h264(path, [np.dstack([np.roll(np.tile(ramp, (96, 1)), 4 * i, axis=1)] * 3)
                      for i in range(8)], fps=25, crf=0)


def finished_tiny_run(workdir: Path) -> dict:
    """Build the tiny demo in `workdir`, truncate one train real, replace one train fake by a
    face-less video, and run the workflow locally on 2 cores."""
    save_random_depth_anything(workdir / TINY["depth"]["depth_anything"]["model"], "tiny")
    config = write_config(workdir / "config.yaml", TINY)
    built = snakemake(workdir, "data/manifest.csv", "--cores", "2", "--configfile", str(config))
    assert built.returncode == 0, built.stderr[-3000:]
    target, source = json.loads((workdir / "data" / "splits" / "train.json").read_text())[0]
    truncated = workdir / "data/original_sequences/youtube/raw/videos" / f"{target}.mp4"
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 3])
    faceless = f"{target}_{source}"
    faceless_video(workdir / "data/manipulated_sequences/FaceSwap/raw/videos" / f"{faceless}.mp4")
    result = snakemake(workdir, "--cores", "2", "--configfile", str(config))
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(workdir=workdir, config=config, truncated=target, faceless=faceless)
