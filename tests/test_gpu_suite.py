"""The GPU suite's smoke run (every measurement on the CPU at tiny sizes), so the suite that
the first GPU machine runs cannot rot: records, skipping on rerun, and its --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from render_records import gpu_section  # noqa: E402

SUITE = REPO / "benchmarks" / "gpu_suite.py"
PARTS = {"depth", "train", "loader", "faces", "evaluate", "detect", "precision", "end_to_end"}


def suite(*arguments: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SUITE), *arguments], capture_output=True, text=True, cwd=cwd,
        timeout=600, env=dict(os.environ, PYTHONPATH=str(REPO / "pipeline_steps")))


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> tuple[list[dict], str, object]:
    folder = tmp_path_factory.mktemp("suite")
    out = folder / "gpu.jsonl"
    result = suite("--smoke", "--threads", "2", "--out", str(out), "--commit", "abc123",
                   cwd=folder)
    assert result.returncode == 0, result.stderr[-3000:]
    return [json.loads(line) for line in out.read_text().splitlines()], result.stdout, out


def test_the_smoke_run_records_every_measurement_beside_its_ceiling(smoke):
    records, _, _ = smoke
    assert {r["part"] for r in records} == PARTS
    assert len({r["measurement"] for r in records}) == len(records) == 18
    for r in records:
        assert r["smoke"] is True and r["device"] == "cpu" and r["commit"] == "abc123"
        assert r["rate"] > 0 and r["ceiling"] > 0 and r["ceiling_is"]
        assert r["ratio"] == pytest.approx(r["rate"] / r["ceiling"], rel=0.01, abs=5e-4)
        assert r["versions"]["torch"] and r["versions"]["face-alignment"] and r["machine"]
    by_name = {r["measurement"]: r for r in records}
    # the planted face: one a frame, found by face_alignment's own post-processing
    assert by_name["S3FD + FAN 160x120"]["faces"] == by_name["S3FD + FAN 160x120"]["frames"]
    end_to_end = by_name["extract, crop, depth 160x120"]
    assert end_to_end["faces"] == end_to_end["sampled"] == 8 and end_to_end["ffpp_node_hours"] > 0
    detect = by_name["detect every frame"]
    assert detect["faces"] == detect["frames"] == 10 and detect["video_seconds"] == 0.4
    precision = by_name["bf16 against fp32"]
    assert 0 < precision["max_abs_prob_diff"] < 0.1 and 0.5 <= precision["same_decision"] <= 1
    assert {by_name[f"train step {d} test_efficientnet 32"]["ceiling_is"]
            for d in ("late", "mdn", "mid")} == {"two bare backbones back to back, 3 + 1 channels"}


def test_a_rerun_skips_what_the_file_holds(smoke, tmp_path):
    records, _, out = smoke
    result = suite("--smoke", "--out", str(out), "--commit", "abc123", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"measured 0, already in gpu.jsonl {len(records)}" in result.stdout
    assert len(out.read_text().splitlines()) == len(records)


def test_help_lists_each_measurement_with_its_planned_size_and_time(tmp_path):
    result = suite("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line.split() for line in result.stdout.splitlines() if line.startswith("  ")
             and line.split()[0] in PARTS]
    assert {line[0] for line in lines} == PARTS and all(line[-1] == "s" for line in lines)
    planned = sum(float(line[-2]) for line in lines)
    assert f"planned in all: {planned:g} s" in result.stdout and planned <= 300
    assert "4096 crops of 224 px -> 252 px, batch 128" in result.stdout


def test_the_page_shows_each_ratio_against_its_targets_and_no_smoke_record(smoke):
    records, _, _ = smoke
    assert "Not measured yet" in gpu_section(records)  # smoke records are not GPU figures
    as_measured = [{**r, "smoke": False} for r in records]
    section = gpu_section(as_measured)
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(records) + 1  # and the header
    for r in as_measured:
        if r["part"] != "precision":
            verdict = ("aim met" if r["ratio"] >= 0.9 else
                       "floor met, aim not" if r["ratio"] >= 0.8 else "below the floor")
            assert f"**{r['ratio']:.3f}x** {verdict}" in section
    assert "same decision" in section and "code abc123" in section
