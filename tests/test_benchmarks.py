"""Every benchmark runs (at a tiny size, on the CPU) and appends a record that the generated
benchmarks page renders: the commands docs/benchmarks.md shows keep working, and their
records keep the fields the page reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from render_records import SECTIONS  # noqa: E402

# Each benchmark at a size that runs in seconds.
TINY_RUNS = {
    "frames": ["frames_throughput.py", "--frames", "60", "--per-video", "4", "--size", "160x120"],
    "gradcam": ["gradcam_throughput.py", "--faces", "4", "--batch-size", "2"],
    "evaluate": ["evaluate_throughput.py", "--faces", "8", "--batch-size", "4"],
    "depth": ["depth_throughput.py", "--crops", "2", "--batch-size", "2", "--crop-size", "32",
              "--input-size", "28"],
    "train": ["train_throughput.py", "--backbones", "test_efficientnet:32", "--batch-size", "2",
              "--steps", "1"],
    "loader": ["loader_throughput.py", "--backbone", "test_efficientnet", "--input-size", "32",
               "--batch-size", "4", "--faces", "32", "--workers", "0", "--bare-steps", "1"],
    "faces": ["faces_throughput.py", "--backends", "dlib:0", "--videos", "1", "--frames", "8",
              "--per-video", "2", "--crop-size", "64"],
    "face_rates": ["face_rates.py", "--generated", "--per-video", "1", "--backends", "dlib:0"],
    "detect": ["detect_throughput.py", "--seconds", "0.4", "--size", "320x240", "--frames", "4"],
    "serve": ["serve_throughput.py", "--uploads", "4", "--polls", "40", "--distinct", "2",
              "--seconds", "0.4"],
    "tables": ["tables_throughput.py", "--pairs", "3", "--frames", "4", "--columns", "2",
               "--conditions", "2", "3", "--resamples", "100", "--slice-conditions", "2"],
}


def test_every_benchmark_has_a_tiny_run_and_a_section():
    scripts = {p.name for p in (REPO / "benchmarks").glob("*_throughput.py")} | {"face_rates.py"}
    assert {run[0] for run in TINY_RUNS.values()} == scripts
    assert set(TINY_RUNS) <= set(SECTIONS)


@pytest.mark.parametrize("kind", TINY_RUNS)
def test_a_benchmark_records_what_its_page_renders(kind, tmp_path):
    script, *arguments = TINY_RUNS[kind]
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *arguments, "--device", "cpu",
         "--threads", "1", "--records", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
        env=dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO / "pipeline_steps")))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = (tmp_path / f"{kind}.jsonl").read_text().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["machine"] and record["provenance"]["code"]
    section = SECTIONS[kind]([record])
    assert section.count("\n|") >= 2 and "nan" not in section.lower()
