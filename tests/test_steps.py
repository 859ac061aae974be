"""Every stage runs by hand; the rules declare what each job needs."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO

STAGES = ["demo_dataset", "extract_frames", "crop_faces", "check_faces", "estimate_depth", "train",
          "evaluate", "column_statistics", "tables", "collect_skips", "predict_validation",
          "export_bundle", "detect"]


@pytest.mark.parametrize("stage", STAGES)
def test_stage_has_a_help(stage):
    result = subprocess.run([sys.executable, str(REPO / "pipeline_steps" / f"{stage}.py"),
                             "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:") and "--log-file" in result.stdout


def test_every_rule_runs_a_stage_script():
    rules = "".join(p.read_text() for p in (REPO / "workflow" / "rules").glob("*.smk"))
    for stage in STAGES:
        assert f'step_script("{stage}")' in rules


def test_every_rule_declares_threads_memory_and_runtime():
    for path in (REPO / "workflow" / "rules").glob("*.smk"):
        for block in re.split(r"^rule ", path.read_text(), flags=re.M)[1:]:
            name = block.split(":")[0]
            assert re.search(r"^    threads: ", block, re.M), name
            assert re.search(r"^        mem_mb=\d+,$", block, re.M), name
            assert re.search(r"^        runtime=\d+,$", block, re.M), name


def test_the_slurm_profiles_name_every_rule_and_no_other():
    rules = {name for path in (REPO / "workflow" / "rules").glob("*.smk")
             for name in re.findall(r"^rule (\w+):", path.read_text(), re.M)}
    for profile in (REPO / "profiles/slurm/config.yaml", REPO / "tests/slurm_ci.yaml"):
        assert set(yaml.safe_load(profile.read_text())["set-resources"]) == rules, profile


def test_the_thread_cap_applies_to_loaded_libraries_and_loads_none():
    code = ("import sys; from depthfake.jobs._runtime import limit_threads; limit_threads(1); "
            "assert 'torch' not in sys.modules and 'cv2' not in sys.modules; "
            "import torch; limit_threads(2); print(torch.get_num_threads())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(REPO / "pipeline_steps")))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


@pytest.mark.parametrize("job,named", [("4711", "Slurm job 4711"), (None, "outside Slurm")])
def test_every_step_log_names_its_host_and_slurm_job(tmp_path, job, named):
    code = ("import sys; from depthfake.jobs._runtime import setup_logging; "
            "setup_logging(sys.argv[1])")
    env = {key: value for key, value in os.environ.items() if key != "SLURM_JOB_ID"}
    env.update({"SLURM_JOB_ID": job} if job else {})
    log = tmp_path / "step.log"
    subprocess.run([sys.executable, "-c", code, str(log)], check=True, env=env,
                   cwd=REPO / "pipeline_steps")
    assert re.search(rf" on {re.escape(platform.node())}, {named}$", log.read_text(), re.M)
