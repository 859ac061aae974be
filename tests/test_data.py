"""Face shards read back in batches and turned into normalised inputs on the device."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from depthfake.datasets.loader import FaceBatches, contiguous_runs, load_face_index
from depthfake.depth.store import create_depth_dataset
from depthfake.models import DetectorConfig
from depthfake.storage.files import UnreadableFileError
from depthfake.storage.h5 import write_h5
from depthfake.synthetic.faces import write_synthetic_shards
from depthfake.training.inputs import DeviceInputs

CONFIG = DetectorConfig(detector="mdn", backbone="mobilenetv2_050", input_size=8)
CPU = torch.device("cpu")


@pytest.fixture
def shard(tmp_path) -> dict:
    """Three frames of one video; the middle one has no face."""
    crops = np.stack([np.full((8, 8, 3), 255, np.uint8), np.zeros((8, 8, 3), np.uint8)])
    depth = np.full((2, 8, 8), np.nan, np.float16)
    depth[1, 2:6, 2:6] = 0.75
    with write_h5(tmp_path / "faces.h5", {}) as h5:
        h5.create_dataset("crops", data=crops)
    with write_h5(tmp_path / "depth.h5", {}) as h5:
        create_depth_dataset(h5, 2, 8, {}, nan_background=True)[:] = depth
    pd.DataFrame(dict(video="000", kind="real", label=0, compression="raw", split="train",
                      frame=[0, 5, 9], position=[0, 1, 2], has_face=[True, False, True],
                      row=[0, -1, 1])).to_parquet(tmp_path / "index.parquet")
    return dict(index=[tmp_path / "index.parquet"], faces=[tmp_path / "faces.h5"],
                depth=[tmp_path / "depth.h5"])


def test_frames_without_a_face_are_left_out(shard):
    index = load_face_index(shard["index"], shard["faces"], shard["depth"])
    assert index["frame"].tolist() == [0, 9] and index["row"].tolist() == [0, 1]


def test_batches_become_normalised_rgb_and_depth_on_the_device(shard):
    dataset = FaceBatches(load_face_index(shard["index"], shard["faces"], shard["depth"]), 8,
                          with_depth=True)
    batch = dataset[[1, 0]]
    assert batch.rgb.dtype == torch.uint8 and batch.depth.dtype == torch.float16
    rgb, depth, label = DeviceInputs(CONFIG, CPU)(batch)
    expected = (1.0 - torch.tensor(CONFIG.rgb_mean)) / torch.tensor(CONFIG.rgb_std)
    assert rgb.shape == (2, 3, 8, 8) and torch.allclose(rgb[1, :, 0, 0], expected)
    assert depth.shape == (2, 1, 8, 8) and torch.all(depth[1] == -1.0)  # NaN background: 0
    assert depth[0, 0, 3, 3] == pytest.approx(0.5) and depth[0, 0, 0, 0] == -1.0
    assert label.tolist() == [0, 0]


def test_flips_mirror_only_the_chosen_samples(shard):
    dataset = FaceBatches(load_face_index(shard["index"], shard["faces"], shard["depth"]), 8,
                          with_depth=True)
    batch = dataset[[1, 1]]
    inputs = DeviceInputs(CONFIG, CPU)
    plain_rgb, plain_depth, _ = inputs(batch)
    batch.depth[:, 2, 2] = 0.0  # break the symmetry of the depth square
    rgb, depth, _ = inputs(batch, torch.tensor([False, True]))
    assert torch.equal(depth[1], depth[0].flip(-1)) and not torch.equal(depth[1], depth[0])
    assert torch.equal(rgb[1], plain_rgb[1].flip(-1))


def test_reads_in_runs_keep_the_asked_order_across_files(tmp_path):
    files = write_synthetic_shards(tmp_path, 8, {"train": 48}, shards=3)
    index = load_face_index(files["index"], files["faces"], files["depth"])
    dataset = FaceBatches(index, 8, with_depth=True)
    positions = [40, 3, 4, 5, 17, 0, 33, 34]
    batch = dataset[positions]
    for i, position in enumerate(positions):
        assert torch.equal(batch.rgb[i], dataset[[position]].rgb[0])
    assert batch.label.tolist() == index["label"].iloc[positions].tolist()
    assert contiguous_runs(np.array([0, 1, 2, 5, 7, 8])) == [(0, 3), (5, 6), (7, 9)]


def test_a_depth_model_without_depth_files_is_refused(shard):
    index = load_face_index(shard["index"], shard["faces"])
    with pytest.raises(ValueError, match="--depth"):
        FaceBatches(index, 8, with_depth=True)
    rgb_only = FaceBatches(index, 8, with_depth=False)[[0]]
    _, depth, _ = DeviceInputs(CONFIG, CPU)(rgb_only)
    assert rgb_only.depth.numel() == 0 and torch.all(depth == 0.0)


def test_attacked_batches_are_uint8_images_like_clean_ones(shard):
    index = load_face_index(shard["index"], shard["faces"], shard["depth"])
    clean = FaceBatches(index, 8, with_depth=True)[[0]]
    blurred = FaceBatches(index, 8, with_depth=True, condition="BLR")[[0]]
    assert blurred.rgb.dtype == torch.uint8 and torch.equal(blurred.rgb, clean.rgb)
    inputs = DeviceInputs(CONFIG, CPU)
    assert torch.allclose(inputs(blurred)[0], inputs(clean)[0])  # a flat image stays flat


def test_crops_of_another_size_than_the_model_input_are_refused(shard):
    index = load_face_index(shard["index"], shard["faces"], shard["depth"])
    with pytest.raises(ValueError, match="holds 8 px crops; the model takes 16 px"):
        FaceBatches(index, 16, with_depth=True)


def test_a_truncated_shard_is_named_with_what_to_do(shard):
    faces = shard["faces"][0]
    faces.write_bytes(faces.read_bytes()[:200])
    index = load_face_index(shard["index"], shard["faces"], shard["depth"])
    with pytest.raises(UnreadableFileError, match=f"{faces} is not a readable HDF5.*delete it"):
        FaceBatches(index, 8, with_depth=True)
