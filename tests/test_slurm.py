"""The tiny workflow through profiles/slurm on a real Slurm cluster (`.ci/slurm start` brings
one up on localhost): every job runs in a Slurm job, the results equal the local run's, and a
job that fails is reported within a bounded time. Under CI=true a missing cluster fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from importlib.util import find_spec
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
import yaml
from safetensors.numpy import load_file

from conftest import REPO
from tiny_workflow import merged, snakemake

pytestmark = pytest.mark.workflow
CI_OVERRIDE = REPO / "tests" / "slurm_ci.yaml"
RUN_LIMIT_S = 900  # the whole tiny workflow: a few minutes on 2 CPUs
FAILURE_LIMIT_S = 240  # one failing job: submission, the job, two status polls
JOB_LINE = re.compile(r" INFO depthfake: (\w+)\.py on \S+, Slurm job (\d+)$", re.M)


def slurm_missing() -> str | None:
    """Why the Slurm test cannot run here, or None."""
    if find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed (pip install -e '.[slurm]')"
    if shutil.which("sinfo") is None:
        return "no Slurm client (sinfo) on PATH; .ci/slurm install"
    try:
        states = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True,
                                timeout=30)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 30 s"
    if states.returncode or not {"idle", "mixed", "allocated"} & set(states.stdout.split()):
        return f"no Slurm node up (sinfo: {(states.stdout + states.stderr).strip()!r}); " \
               ".ci/slurm start"
    return None


@pytest.fixture(scope="module")
def profile(tmp_path_factory) -> Path:
    """profiles/slurm with the CI override merged in, as a workflow profile folder."""
    if missing := slurm_missing():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true, and the Slurm test cannot run: {missing}")
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("slurm-profile")
    settings = merged(yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text()),
                      yaml.safe_load(CI_OVERRIDE.read_text()))
    (folder / "config.yaml").write_text(yaml.safe_dump(settings))
    return folder


def copy_inputs(run: dict, workdir: Path) -> None:
    """A run's inputs: the demo data (as damaged), the depth model, the config."""
    for name in ("data", "tiny-depth"):
        shutil.copytree(run["workdir"] / name, workdir / name)
    shutil.copy2(run["workdir"] / "config.yaml", workdir)


@pytest.fixture(scope="module")
def slurm_run(tiny_run, profile, tmp_path_factory) -> dict:
    """The local run's inputs run again, through the Slurm profile."""
    workdir = tmp_path_factory.mktemp("slurm")
    copy_inputs(tiny_run, workdir)
    config = str(workdir / "config.yaml")
    planned = snakemake(workdir, "-n", "--workflow-profile", str(profile), "--configfile", config)
    assert planned.returncode == 0, planned.stderr[-3000:]
    assert not re.search(r"^rule demo_dataset:", planned.stdout, re.M), "the demo is copied"
    start = time.monotonic()
    result = snakemake(workdir, "--workflow-profile", str(profile), "--configfile", config,
                       timeout=RUN_LIMIT_S)
    assert result.returncode == 0, result.stderr[-5000:]
    return dict(workdir=workdir, seconds=time.monotonic() - start, output=result.stderr)


def slurm_states() -> dict[str, str]:
    """Job id -> state of the jobs Slurm still knows (finished ones for MinJobAge)."""
    listing = subprocess.run(["squeue", "-h", "--states=all", "-o", "%i %T"],
                             capture_output=True, text=True, check=True).stdout
    return dict(line.split() for line in listing.splitlines())


def test_every_job_ran_in_a_slurm_job(slurm_run):
    logs = sorted((slurm_run["workdir"] / "logs").rglob("*.log"))
    submitted = re.findall(r"Job \S+ has been submitted with SLURM jobid (\d+)",
                           slurm_run["output"])
    jobs = {}
    for log in logs:
        found = JOB_LINE.findall(log.read_text())
        assert found, f"{log} names no Slurm job"
        jobs[log.relative_to(slurm_run["workdir"] / "logs")] = found[0][1]
    planned = len(re.findall(r"^\s*rule (?!all:)\w+:", slurm_run["output"], re.M))
    assert len(jobs) == planned, "one log per job"
    assert set(jobs.values()) <= set(submitted), "each job ran in a job this run submitted"
    states = slurm_states()
    assert {states.get(job) for job in jobs.values()} == {"COMPLETED"}
    # Frames and faces of one shard share one cluster job (the profile's `video` group).
    for kind in ("real", "FaceSwap", "Face2Face"):
        shard = f"demo/raw/{kind}/shard0.log"
        assert jobs[Path("extract_frames", shard)] == jobs[Path("crop_faces", shard)]
    assert len(set(jobs.values())) < len(jobs)


def same_arrays(first: dict, second: dict) -> bool:
    return first.keys() == second.keys() and all(
        np.array_equal(first[key], second[key], equal_nan=True) for key in first)


def h5_arrays(path: Path) -> dict:
    with h5py.File(path) as store:
        return {name: store[name][()] for name in store if isinstance(store[name], h5py.Dataset)}


def test_results_equal_the_local_run(tiny_run, slurm_run):
    local, cluster = tiny_run["workdir"] / "results", slurm_run["workdir"] / "results"
    texts = ["skipped.csv", "faces/report.md", "faces/videos.csv",
             *(str(p.relative_to(local)) for p in (local / "tables").rglob("*.*")),
             *(str(p.relative_to(local)) for p in (local / "figures").rglob("*.csv"))]
    for name in texts:
        assert (cluster / name).read_text() == (local / name).read_text(), name
    for predictions in local.rglob("predictions/**/*.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(cluster / predictions.relative_to(local)),
                                      pd.read_parquet(predictions))
    for store in [*local.rglob("faces/**/*.h5"), *local.rglob("depth/**/*.h5")]:
        assert same_arrays(h5_arrays(cluster / store.relative_to(local)), h5_arrays(store)), store
    weights = sorted(local.rglob("models/**/*.safetensors"))
    assert weights and all(same_arrays(load_file(cluster / w.relative_to(local)), load_file(w))
                           for w in weights)


def test_a_failing_job_fails_the_run_within_a_bounded_time(slurm_run, profile, tmp_path):
    copy_inputs(slurm_run, tmp_path)
    shutil.copytree(slurm_run["workdir"] / "results", tmp_path / "results")
    weights = next((tmp_path / "tiny-depth").glob("*.safetensors"))
    weights.write_bytes(b"not a safetensors file")  # newer than the depth maps: they rerun
    target = "results/depth/demo/depth_anything/raw/real/shard0.h5"
    start = time.monotonic()
    result = snakemake(tmp_path, target, "--workflow-profile", str(profile), "--configfile",
                       str(tmp_path / "config.yaml"), timeout=FAILURE_LIMIT_S)
    assert result.returncode != 0
    assert time.monotonic() - start < FAILURE_LIMIT_S
    assert "Error in rule estimate_depth" in result.stderr, result.stderr[-3000:]
    jobs = re.findall(r"SLURM jobid (\d+)", result.stderr)
    assert len(jobs) == 1 and slurm_states()[jobs[0]] == "FAILED"
    log = (tmp_path / "logs/estimate_depth/demo/depth_anything/raw/real/shard0.log").read_text()
    assert f"Slurm job {jobs[0]}" in log and "SafetensorError" in log
    assert not (tmp_path / target).exists()
