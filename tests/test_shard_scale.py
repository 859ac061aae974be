"""Extraction and cropping at shard sizes: memory does not grow with the shard."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from depthfake.settings import to_cli
from depthfake.synthetic.videos import write_face_tree

from conftest import REPO

# Runs a step script in-process and prints its peak resident memory (kB) last.
PEAK_RSS = ("import resource, runpy, sys; script = sys.argv.pop(1); sys.argv[0] = script; "
            "runpy.run_path(script, run_name='__main__'); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")


def peak_rss_mb(script: str, *args: str) -> float:
    command = [sys.executable, "-c", PEAK_RSS, str(REPO / "pipeline_steps" / script), *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.split()[-1]) / 1024


@pytest.mark.workflow
def test_peak_memory_is_flat_from_10_to_100_videos_per_shard(tmp_path):
    source = write_face_tree(tmp_path / "ff", videos=100, frames=4, height=240, width=320)
    peaks = {}
    for shards in (10, 1):  # one shard of 10 videos, then one of all 100
        out = tmp_path / f"out{shards}"
        extract = peak_rss_mb(
            "extract_frames.py", "--dataset", "ff", *to_cli(source.model_dump()).split(),
            "--per-video", "4", "--kind", "real", "--compression", "c23", "--shard", "0",
            "--num-shards", str(shards), "--out-frames", str(out / "f.h5"),
            "--out-index", str(out / "f.parquet"), "--out-skips", str(out / "s.csv"))
        crop = peak_rss_mb(
            "crop_faces.py", "--frames", str(out / "f.h5"), "--frame-index",
            str(out / "f.parquet"), "--crop-size", "224", "--dlib-upsample", "0",
            "--out-faces", str(out / "c.h5"), "--out-index", str(out / "c.parquet"),
            "--out-skips", str(out / "s2.csv"))
        peaks[shards] = extract, crop
        faces = pd.read_parquet(out / "c.parquet")
        assert len(faces) == 400 // shards and faces["has_face"].all()
    # 100 videos x 4 frames: 92 MB of frames and 60 MB of crops if a shard were held whole.
    for small, large in zip(peaks[10], peaks[1], strict=True):
        assert large - small < 15, peaks
