"""One video through the library's per-video functions gives what the step scripts store."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from depthfake.datasets.extract_shard import extract_frames
from depthfake.datasets.preprocess import FaceCropper, depth_estimator, preprocess_video
from depthfake.datasets.video import write_h264
from depthfake.depth.estimate_shard import estimate_depth
from depthfake.faces.crop_shard import crop_faces
from depthfake.settings import (
    DatasetSource,
    DepthBackendOptions,
    DlibOptions,
    FaceSettings,
    FrameSettings,
)
from depthfake.storage.atomic import atomic_output
from depthfake.storage.h5 import read_settings

FRAMES = FrameSettings(per_video=3)
FACES = FaceSettings(crop_size=48, dlib=DlibOptions(upsample=0))


@pytest.fixture
def one_video(tmp_path, astronaut) -> Path:
    """A one-video FF++ tree: the astronaut drifting right, in the test split."""
    frames = [np.roll(astronaut[:256, 128:384], 4 * i, axis=1) for i in range(6)]
    write_h264(tmp_path / "original_sequences/youtube/raw/videos/000.mp4", frames, 25, crf=0)
    (tmp_path / "splits").mkdir()
    for split, pairs in (("train", []), ("val", []), ("test", [["000", "001"]])):
        (tmp_path / "splits" / f"{split}.json").write_text(json.dumps(pairs))
    return tmp_path


def extract_one(source: DatasetSource, out: Path) -> None:
    """Stage 2 on the one shard of the tree's reals: frames.h5, frames.parquet, skips1.csv."""
    extract_frames("one", source, FRAMES, kind="real", compression="raw", shard_index=0,
                   num_shards=1, out_frames=out / "frames.h5", out_index=out / "frames.parquet",
                   out_skips=out / "skips1.csv")


def test_the_steps_store_what_preprocess_video_returns(one_video, tmp_path):
    source = DatasetSource(root=str(one_video), splits_dir=str(one_video / "splits"))
    out = tmp_path / "out"
    extract_one(source, out)
    crop_faces(out / "frames.h5", out / "frames.parquet", FACES, out_faces=out / "faces.h5",
               out_index=out / "faces.parquet", out_skips=out / "skips2.csv")
    options = DepthBackendOptions()
    estimate_depth(out / "faces.h5", "landmark_mesh", options, out / "depth.h5")

    video = preprocess_video(one_video / "original_sequences/youtube/raw/videos/000.mp4",
                             FRAMES, FaceCropper(FACES), depth_estimator("landmark_mesh", options))
    index = pd.read_parquet(out / "faces.parquet")
    assert index["frame"].tolist() == video.frames == [0, 2, 5]
    assert index["has_face"].all() and all(c is not None for c in video.crops)
    assert index["detected"].all() and (index["frame_side"] == 256).all()
    assert index["face_side"].tolist() == pytest.approx([c.face_side for c in video.crops])
    assert index["face_side"].between(60, 200).all()
    with h5py.File(out / "faces.h5") as faces, h5py.File(out / "depth.h5") as depth:
        assert faces["crops"].chunks == (1, 48, 48, 3)  # one crop per chunk
        assert np.array_equal(faces["crops"][:], np.stack([c.image for c in video.crops]))
        assert np.array_equal(depth["depth"][:], np.stack(video.depth).astype(np.float16),
                              equal_nan=True)
    settings = read_settings(out / "depth.h5")
    assert settings["frames"] == FRAMES.model_dump() and settings["faces"] == FACES.model_dump()
    assert settings["depth"] == {"backend": "landmark_mesh", "options": {"focal_scale": 1.0}}


def test_a_killed_jobs_temporary_file_is_removed_by_the_next_attempt(tmp_path):
    stale = tmp_path / ".shard0.h5.tmp-12345"
    stale.write_bytes(b"x" * 100)
    with atomic_output(tmp_path / "shard0.h5") as tmp:
        tmp.write_text("done")
    assert not stale.exists() and (tmp_path / "shard0.h5").read_text() == "done"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shard0.h5"]


@pytest.mark.parametrize("min_share, stored", [(0.25, 1), (0.5, 0)])
def test_a_video_with_too_few_faced_frames_is_a_recorded_skip(tmp_path, astronaut, min_share,
                                                              stored):
    blank = np.full((256, 256, 3), 128, np.uint8)
    frames = [astronaut[:256, 128:384]] * 2 + [blank] * 4  # sampled: 0 (face), 2 and 5
    write_h264(tmp_path / "original_sequences/youtube/raw/videos/000.mp4", frames, 25, crf=0)
    (tmp_path / "splits").mkdir()
    for split, pairs in (("train", []), ("val", []), ("test", [["000", "001"]])):
        (tmp_path / "splits" / f"{split}.json").write_text(json.dumps(pairs))
    source = DatasetSource(root=str(tmp_path), splits_dir=str(tmp_path / "splits"))
    out = tmp_path / "out"
    extract_one(source, out)
    settings = FACES.model_copy(update={"min_face_share": min_share})
    index = crop_faces(out / "frames.h5", out / "frames.parquet", settings,
                       out_faces=out / "faces.h5", out_index=out / "faces.parquet",
                       out_skips=out / "skips2.csv")
    assert index["detected"].tolist() == [True, False, False]
    assert index["has_face"].sum() == stored
    with h5py.File(out / "faces.h5") as faces:
        assert len(faces["crops"]) == stored
    skipped = pd.read_csv(out / "skips2.csv", comment="#")
    assert skipped["reason"].tolist() == ([] if stored else [
        "a face in only 1 of 3 frames (faces.min_face_share 0.5)"])
