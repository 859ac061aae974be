"""Stored depth maps with values the convention does not allow (infinities anywhere, NaN from a
backend that marks no background) stop training and evaluation, naming the file and rows."""

from __future__ import annotations

import re

import h5py
import numpy as np
import pytest

from depthfake.datasets.loader import load_face_index
from depthfake.depth.convention import DepthValueError
from depthfake.evaluation.evaluate_detector import evaluate_detector
from depthfake.settings import BackboneOptions, EvaluateSettings, TrainSettings
from depthfake.storage.files import UnreadableFileError
from depthfake.synthetic.faces import write_synthetic_shards
from depthfake.training.train_detector import train_detector

SIZE = 32
SETTINGS = TrainSettings(epochs=1, batch_size=8, effective_batch=None, warmup_epochs=0,
                         pretrained=False, device="cpu")
CELL = dict(dataset="synthetic", compression="raw", forgery="FaceSwap", model="mdn",
            backbone="test_efficientnet", depth="synthetic", seed=0)


def trained(files: dict, folder) -> tuple:
    index = load_face_index(files["index"], files["faces"], files["depth"])
    weights, meta = folder / "mdn.safetensors", folder / "mdn.json"
    train_detector(index, {"faces": {"crop_size": SIZE}}, detector="mdn",
                   backbone="test_efficientnet", options=BackboneOptions(), settings=SETTINGS,
                   seed=0, cell=CELL, out_weights=weights, out_meta=meta)
    return index, weights, meta


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("depth-values")
    files = write_synthetic_shards(folder, SIZE, {"train": 32, "val": 16, "test": 16})
    index, weights, meta = trained(files, folder)
    return dict(files=files, weights=weights, meta=meta, folder=folder)


def spoil(path, rows: list[int], value: float, nan_background: bool) -> None:
    """Two pixels of each map of `rows` set to `value`, in a file of a backend that marks
    background as NaN or (its background then 0) of one that marks none."""
    with h5py.File(path, "r+") as handle:
        depth = handle["depth"]
        if not nan_background:
            depth[:] = np.nan_to_num(depth[:])
        for row in rows:
            depth[row, 3, 4:6] = value
        depth.attrs["nan_background"] = nan_background


@pytest.mark.parametrize(("value", "nan_background", "found"), [
    (np.inf, True, "2 infinite"), (-np.inf, True, "2 infinite"),
    (np.nan, False, "2 NaN (its backend marks no background)")])
def test_training_and_evaluation_stop_at_a_bad_stored_map(model, tmp_path, value,
                                                          nan_background, found):
    files = {kind: list(paths) for kind, paths in model["files"].items()}
    spoiled = tmp_path / "shard1.depth.h5"
    spoiled.write_bytes(files["depth"][1].read_bytes())
    files["depth"][1] = spoiled
    index = load_face_index(files["index"], files["faces"], files["depth"])
    rows = {split: int(index[(index["depth_file"] == str(spoiled))
                             & (index["split"] == split)]["row"].iloc[1])
            for split in ("train", "test")}
    spoil(spoiled, list(rows.values()), value, nan_background)
    for split, run in (("test", lambda: evaluate_detector(
            index, model["weights"], model["meta"], settings=EvaluateSettings(),
            depth_inputs=["perturb"], test_dataset="synthetic",
            out=tmp_path / "predictions.parquet")), ("train", lambda: trained(
            files, tmp_path))):
        message = (rf"^{re.escape(str(spoiled))}: 1 depth map\(s\) hold .*: "
                   rf"{re.escape(found)} value\(s\), in row\(s\) {rows[split]}$")
        with pytest.raises(DepthValueError, match=message):
            run()
    assert not (tmp_path / "predictions.parquet").exists()
    assert not (tmp_path / "mdn.safetensors").exists()


def test_a_depth_file_that_does_not_say_whether_it_marks_background_is_refused(model, tmp_path):
    files = {kind: list(paths) for kind, paths in model["files"].items()}
    old = tmp_path / "old.depth.h5"
    old.write_bytes(files["depth"][0].read_bytes())
    with h5py.File(old, "r+") as handle:
        del handle["depth"].attrs["nan_background"]
    files["depth"][0] = old
    with pytest.raises(UnreadableFileError, match=rf"^{re.escape(str(old))} does not say"):
        trained(files, tmp_path)
