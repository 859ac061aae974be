"""Face shards read back as normalised tensors; faceless frames and missing depth handled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from depthfake.data import FaceDepthDataset, load_face_index
from depthfake.files import UnreadableFileError
from depthfake.h5store import write_h5
from depthfake.models import DetectorConfig

CONFIG = DetectorConfig(detector="mdn", backbone="mobilenetv2_050", input_size=8)


@pytest.fixture
def shard(tmp_path) -> dict:
    """Three frames of one video; the middle one has no face."""
    crops = np.stack([np.full((8, 8, 3), 255, np.uint8), np.zeros((8, 8, 3), np.uint8)])
    depth = np.full((2, 8, 8), np.nan, np.float16)
    depth[1, 2:6, 2:6] = 0.75
    with write_h5(tmp_path / "faces.h5", {}) as h5:
        h5.create_dataset("crops", data=crops)
    with write_h5(tmp_path / "depth.h5", {}) as h5:
        h5.create_dataset("depth", data=depth)
    pd.DataFrame(dict(video="000", kind="real", label=0, compression="raw", split="train",
                      frame=[0, 5, 9], position=[0, 1, 2], has_face=[True, False, True],
                      row=[0, -1, 1])).to_parquet(tmp_path / "index.parquet")
    return dict(index=[tmp_path / "index.parquet"], faces=[tmp_path / "faces.h5"],
                depth=[tmp_path / "depth.h5"])


def test_frames_without_a_face_are_left_out(shard):
    index = load_face_index(shard["index"], shard["faces"], shard["depth"])
    assert index["frame"].tolist() == [0, 9] and index["row"].tolist() == [0, 1]


def test_items_are_normalised_rgb_and_depth(shard):
    dataset = FaceDepthDataset(load_face_index(shard["index"], shard["faces"], shard["depth"]),
                               CONFIG)
    rgb, depth, label = dataset[0]
    expected = (1.0 - torch.tensor(CONFIG.rgb_mean)) / torch.tensor(CONFIG.rgb_std)
    assert rgb.shape == (3, 8, 8) and torch.allclose(rgb[:, 0, 0], expected)
    assert depth.shape == (1, 8, 8) and torch.all(depth == -1.0)  # NaN background reads as 0
    _, depth, _ = dataset[1]
    assert depth[0, 3, 3] == pytest.approx(0.5) and depth[0, 0, 0] == -1.0
    assert label == 0


def test_a_depth_model_without_depth_files_is_refused(shard):
    index = load_face_index(shard["index"], shard["faces"])
    with pytest.raises(ValueError, match="--depth"):
        FaceDepthDataset(index, CONFIG)
    rgb_only = DetectorConfig(detector="rgb", backbone="mobilenetv2_050", input_size=8)
    rgb, depth, _ = FaceDepthDataset(index, rgb_only)[0]
    assert torch.all(depth == -1.0)


def test_crops_of_another_size_than_the_model_input_are_refused(shard):
    index = load_face_index(shard["index"], shard["faces"], shard["depth"])
    other = DetectorConfig(detector="mdn", backbone="mobilenetv2_050", input_size=16)
    with pytest.raises(ValueError, match="holds 8 px crops; the mdn model takes 16 px"):
        FaceDepthDataset(index, other)


def test_a_truncated_shard_is_named_with_what_to_do(shard):
    faces = shard["faces"][0]
    faces.write_bytes(faces.read_bytes()[:200])
    index = load_face_index(shard["index"], shard["faces"], shard["depth"])
    with pytest.raises(UnreadableFileError, match=f"{faces} is not a readable HDF5.*delete it"):
        FaceDepthDataset(index, CONFIG)
