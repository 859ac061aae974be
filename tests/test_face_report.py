"""The face stage's losses: named in the face report, and past a data set's share a stop."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from depthfake.faces.rates import FacesLostError, check_face_loss, lost_videos, video_face_rates
from depthfake.storage.files import read_csv, write_parquet

from conftest import REPO


def frame_index(found: dict[str, int], frames: int = 4) -> pd.DataFrame:
    """A crop_faces frame index of demo/raw/FaceSwap: per video, faces in its first `found`
    frames, crops kept unless crop_faces skipped it (found under a quarter of its frames)."""
    rows = []
    for video, count in found.items():
        kept = count >= frames / 4
        rows += [dict(dataset="demo", compression="raw", kind="FaceSwap", video=video, frame=i,
                      detected=i < count, has_face=kept and i < count,
                      face_side=60.0 if i < count else float("nan"), frame_side=240)
                 for i in range(frames)]
    return pd.DataFrame(rows)


# Ten videos; "v8" has no face, "v9" one in 1 of 8 frames: both left without crops.
FOUND = {**{f"v{i}": 8 for i in range(8)}, "v8": 0, "v9": 1}


def test_lost_videos_are_those_without_crops_with_their_face_rates():
    lost = lost_videos(video_face_rates(frame_index(FOUND, frames=8)))
    assert lost[["video", "frames", "face_rate"]].values.tolist() == [["v8", 8, 0.0],
                                                                      ["v9", 8, 0.125]]


def test_a_slice_over_its_share_stops_naming_each_video_and_the_settings():
    rates = video_face_rates(frame_index(FOUND, frames=8))
    with pytest.raises(FacesLostError) as stop:
        check_face_loss(rates, max_loss=0.1, min_face_share=0.25)
    message = str(stop.value)
    assert message.startswith("demo/raw/FaceSwap: 2 of 10 videos (20%) have no face crops, "
                              "more than datasets.demo.max_face_loss 0.1 allows")
    assert "  - v8: a face in 0% of 8 frames\n  - v9: a face in 12% of 8 frames" in message
    assert "faces.min_face_share 0.25" in message
    assert message.endswith("datasets.demo.missing_faces: skip")


@pytest.mark.parametrize("max_loss,note", [
    (0.2, "demo/raw/FaceSwap: 2 of 10 videos (20%) have no face crops, within "
          "datasets.demo.max_face_loss 0.2"),
    (None, "demo/raw/FaceSwap: 2 of 10 videos (20%) have no face crops, accepted "
           "(datasets.demo.missing_faces: skip)"),
])
def test_a_loss_within_the_share_or_accepted_goes_on_with_a_note(max_loss, note):
    rates = video_face_rates(frame_index(FOUND, frames=8))
    assert check_face_loss(rates, max_loss, min_face_share=0.25) == note


def test_a_slice_that_keeps_every_video_passes_silently():
    rates = video_face_rates(frame_index({"v0": 4, "v1": 3}))
    assert check_face_loss(rates, max_loss=0.0, min_face_share=0.25) is None


def run_step(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "pipeline_steps" / script), *args],
                          capture_output=True, text=True)


def test_the_check_step_writes_the_lost_videos_or_stops_with_their_names(tmp_path):
    index = tmp_path / "shard0.parquet"
    write_parquet(index, frame_index(FOUND, frames=8))
    marker, log = tmp_path / "FaceSwap.csv", tmp_path / "check.log"
    common = ["--indices", str(index), "--min-face-share", "0.25", "--out", str(marker),
              "--log-file", str(log)]
    stopped = run_step("check_faces.py", *common, "--max-face-loss", "0.1")
    assert stopped.returncode != 0 and not marker.exists()
    assert "FacesLostError" in stopped.stderr and "v9: a face in 12% of 8 frames" in stopped.stderr
    accepted = run_step("check_faces.py", *common)
    assert accepted.returncode == 0, accepted.stderr
    assert "accepted (datasets.demo.missing_faces: skip)" in accepted.stdout
    assert read_csv(marker)["video"].tolist() == ["v8", "v9"]


def test_the_face_report_names_the_videos_without_crops(tmp_path):
    index = tmp_path / "shard0.parquet"
    write_parquet(index, frame_index(FOUND, frames=8))
    md = tmp_path / "report.md"
    done = run_step("face_report.py", "--indices", str(index), "--out-md", str(md),
                    "--out-html", str(tmp_path / "report.html"), "--out-videos",
                    str(tmp_path / "videos.csv"), "--log-file", str(tmp_path / "report.log"))
    assert done.returncode == 0, done.stderr
    lost = md.read_text().split("## Videos without face crops")[1]
    assert "| demo | raw | FaceSwap | v8 | 8 | 0 |" in lost
    assert "| demo | raw | FaceSwap | v9 | 8 | 0.125 |" in lost
