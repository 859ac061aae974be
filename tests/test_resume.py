"""A workflow killed mid-stage finishes with the documented resume commands, redoing nothing."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from depthfake.synthetic.videos import write_face_tree

from conftest import REPO, documented_command

pytestmark = pytest.mark.workflow
SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--cores", "1"]
TARGET = "results/faces/report.md"
SHARDS = 4


def resume_commands() -> list[list[str]]:
    """The resume commands of docs/bad-input.md ("Resume after a kill")."""
    return [line.split() for line in documented_command("resume")]


def snakemake_incomplete(workdir: Path) -> set[str]:
    """The outputs Snakemake marked as being written (its markers: base64 of the path)."""
    markers = (workdir / ".snakemake" / "incomplete").glob("*")
    return {base64.urlsafe_b64decode(m.name).decode() for m in markers
            if m.name != "migration_underway"}


def test_a_killed_run_finishes_without_redoing_finished_shards(tmp_path):
    source = write_face_tree(tmp_path / "ff", videos=8, frames=2, height=160, width=160,
                             forgeries=("FaceSwap",))
    config = tmp_path / "config.yaml"
    base = yaml.safe_load((REPO / "config.yaml").read_text())
    base["datasets"] = {"ff": {"root": source.root, "splits_dir": source.splits_dir,
                               "forgeries": ["FaceSwap"], "compressions": ["c23"],
                               "shards_per_kind": SHARDS}}
    base["train"] |= {"dataset": "ff", "forgeries": ["FaceSwap"], "models": ["rgb"]}
    base["frames"] = {"per_video": 2}
    config.write_text(yaml.safe_dump(base))
    args = [TARGET, "--configfile", str(config)]
    crops = tmp_path / "results" / "faces" / "ff" / "c23"
    first = subprocess.Popen([*SNAKEMAKE, *args], cwd=tmp_path, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(list(crops.glob("*/shard*.parquet"))) < 3:  # killed inside the cropping stage
        assert first.poll() is None and time.monotonic() < deadline, "the run ended early"
        time.sleep(0.2)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    unfinished = snakemake_incomplete(tmp_path)  # outputs of jobs that were running
    done = {p: p.stat().st_mtime_ns for p in crops.glob("*/shard*.*")
            if str(p.relative_to(tmp_path)) not in unfinished}
    assert len(done) >= 2 * 2 and len(list(crops.glob("*/shard*.parquet"))) < 2 * SHARDS

    commands = resume_commands()
    for command in commands:
        assert command[0] == "snakemake", commands
        result = subprocess.run([*SNAKEMAKE, *args, *command[1:]], cwd=tmp_path,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]
    assert {p: p.stat().st_mtime_ns for p in done} == done  # finished shards were not redone
    indices = sorted(crops.glob("*/shard*.parquet"))
    assert len(indices) == 2 * SHARDS
    assert pd.concat(map(pd.read_parquet, indices))["has_face"].all()
    assert not [p for p in (tmp_path / "results").rglob("*") if ".tmp-" in p.name]
    assert (tmp_path / TARGET).is_file()
