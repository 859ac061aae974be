"""The neural depth backend: loading (folder, hub cache, missing), its precision (the head in
fp32 under autocast) and antialiased resize, the depth convention with planted network outputs,
and the depth stage writing HDF5 row for row."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from types import SimpleNamespace

import h5py
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from depthfake.depth import create_depth_estimator, neural
from depthfake.depth.convention import MAPS_VERSION, DepthValueError
from depthfake.depth.estimate_shard import estimate_depth
from depthfake.depth.hub import DepthNetwork, MissingModelError
from depthfake.depth.neural import NeuralDepth, relative_depth
from depthfake.depth.store import create_depth_dataset, estimate_into
from depthfake.settings import DepthBackendOptions
from depthfake.storage.h5 import write_h5
from depthfake.synthetic.depth_model import IMAGENET_MEAN, IMAGENET_STD, save_random_depth_anything
from depthfake.synthetic.hub_cache import cache_as_download

SIDE = 20


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return save_random_depth_anything(tmp_path_factory.mktemp("model") / "tiny", "tiny")


def random_crops(count: int, side: int = SIDE, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (count, side, side, 3), dtype=np.uint8)


def tiny_estimator(model: str | Path, **options):
    settings = dict(input_size=28, batch_size=3, device="auto") | options
    return create_depth_estimator("depth_anything", model=str(model), **settings)


def test_a_saved_model_loads_and_estimates_through_the_user_path(tiny_model):
    estimator = tiny_estimator(tiny_model)
    crops = random_crops(7)
    maps = estimator.estimate(crops, np.zeros((7, 68, 2), np.float32))
    assert maps.shape == (7, SIDE, SIDE) and maps.dtype == np.float16
    assert np.isfinite(maps).all() and maps.min() >= 0 and maps.max() <= 1
    # crops are independent of their batch: the fourth alone gives the same map
    assert np.allclose(estimator.estimate(crops[3:4], None)[0], maps[3], atol=1e-3)
    weights = (tiny_model / "model.safetensors").read_bytes()
    assert estimator.identity == {
        "model": str(tiny_model), "model_type": "depth_anything", "output": "relative",
        "weights_sha256": hashlib.sha256(weights).hexdigest(), "input_size": 28,
        "device": "cpu", "precision": "fp32"}


def test_a_hub_id_loads_from_the_cache_offline(tiny_model, tmp_path, monkeypatch):
    import huggingface_hub.constants

    commit = cache_as_download(tiny_model, tmp_path, "someone/tiny-depth")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    estimator = tiny_estimator("someone/tiny-depth")
    assert estimator.identity["revision"] == commit
    assert "weights_sha256" not in estimator.identity
    assert estimator.estimate(random_crops(2), None).shape == (2, SIDE, SIDE)


@pytest.mark.parametrize("source", ["depth-anything/Depth-Anything-V2-Small-hf",
                                    "no/such/folder"])
def test_a_missing_model_is_one_clear_error(source):
    with pytest.raises(MissingModelError, match="save_pretrained") as error:
        tiny_estimator(source)
    assert repr(source) in str(error.value) and "HF_HUB_OFFLINE" in str(error.value)


def test_a_folder_without_its_image_processor_is_named(tiny_model, tmp_path):
    folder = shutil.copytree(tiny_model, tmp_path / "no-processor")
    (folder / "preprocessor_config.json").unlink()
    with pytest.raises(MissingModelError, match="preprocessor_config.json"):
        tiny_estimator(folder)


def test_input_size_must_be_a_multiple_of_the_patch_size(tiny_model):
    with pytest.raises(ValueError, match="not a multiple of the model's patch size 14 .try 28"):
        tiny_estimator(tiny_model, input_size=30)


# -- precision -----------------------------------------------------------------------------------
@pytest.fixture
def cpu_autocast(monkeypatch):
    """The CPU treated as CUDA is: the network under bf16 autocast, its head excepted."""
    monkeypatch.setattr(neural, "AUTOCAST_DEVICES", frozenset({"cpu"}))


def test_the_head_runs_in_float32_while_the_encoder_runs_under_autocast(tiny_model,
                                                                        cpu_autocast):
    estimator = tiny_estimator(tiny_model, device="cpu")
    assert estimator.identity["precision"] == "bf16 encoder, fp32 head"
    network, seen = estimator.network, {}
    network.neck.register_forward_hook(lambda m, i, out: seen.update(neck=out[-1].dtype))
    for name, module in network.head.named_modules():
        if isinstance(module, torch.nn.Conv2d):
            module.register_forward_hook(
                lambda m, i, out, name=name: seen.update({name: (i[0].dtype, out.dtype)}))
    maps = estimator.estimate(random_crops(2), None)
    assert seen.pop("neck") == torch.bfloat16  # the encoder ran under autocast
    assert len(seen) == 3 and set(seen.values()) == {(torch.float32, torch.float32)}
    assert np.isfinite(maps).all() and maps.min() >= 0 and maps.max() <= 1


def test_a_network_without_a_head_runs_under_autocast_as_it_is(cpu_autocast, caplog):
    estimator = planted(np.zeros((28, 28)), "relative")
    assert estimator.identity["precision"] == "bf16"
    assert "PlantedNetwork has no `head`: all of it runs under bf16 autocast" in caplog.text
    assert estimator.estimate(random_crops(1), None).shape == (1, SIDE, SIDE)


def test_the_prediction_is_resized_to_the_crop_in_fp32_antialiased():
    fine = (np.indices((28, 28)).sum(axis=0) % 2).astype(np.float32)  # finer than the crop's
    maps = planted(fine, "relative").estimate(random_crops(1), None)[0]

    def resized(antialias: bool) -> np.ndarray:
        depth = F.interpolate(torch.from_numpy(fine)[None, None], size=(SIDE, SIDE),
                              mode="bilinear", antialias=antialias)[:, 0]
        return relative_depth(depth, "relative")[0].half().numpy()

    assert np.array_equal(maps, resized(antialias=True))
    assert np.abs(maps.astype(np.float32) - resized(antialias=False)).mean() > 0.02


# -- the convention, with planted network outputs ------------------------------------------------
class PlantedNetwork(torch.nn.Module):
    """Returns a fixed prediction, and records the input it was given."""

    def __init__(self, prediction: torch.Tensor):
        super().__init__()
        self.prediction = prediction
        self.seen: torch.Tensor | None = None

    def forward(self, pixel_values: torch.Tensor) -> SimpleNamespace:
        self.seen = pixel_values
        return SimpleNamespace(predicted_depth=self.prediction.expand(len(pixel_values), -1, -1))


def planted(prediction: np.ndarray, output: str) -> NeuralDepth:
    network = PlantedNetwork(torch.tensor(prediction, dtype=torch.float32)[None])
    depth = DepthNetwork(network=network, output=output, mean=IMAGENET_MEAN, std=IMAGENET_STD,
                         patch_size=14, identity={})
    return NeuralDepth(depth, input_size=28, batch_size=4, device=torch.device("cpu"))


# A surface 60 cm away on the left, 70 cm on the right (a face's depth range), on a 28 x 28
# network output: metric models predict this distance, relative ones its inverse.
DISTANCE = np.tile(np.linspace(60.0, 70.0, 28), (28, 1))


@pytest.mark.parametrize("output,prediction", [("relative", 1 / DISTANCE),
                                               ("metric", DISTANCE / 100)])
def test_both_kinds_of_output_map_to_one_convention(output, prediction):
    maps = planted(prediction, output).estimate(random_crops(2), None).astype(np.float32)
    for depth in maps:
        assert depth[:, 0].min() > 0.97 and depth[:, -1].max() < 0.03  # near = 1, far = 0
        assert (np.diff(depth, axis=1) <= 1e-3).all()  # farther to the right, never nearer
    # min-max of the prediction, reversed for metric depth, resized from 28 to 20 px
    centre = maps[0, :, SIDE // 2]
    expected = {"relative": (1 / 65 - 1 / 70) / (1 / 60 - 1 / 70), "metric": 0.5}[output]
    assert np.allclose(centre, expected, atol=0.04)


def test_relative_and_metric_agree_to_first_order_over_a_face():
    relative = planted(1 / DISTANCE, "relative").estimate(random_crops(1), None)
    metric = planted(DISTANCE, "metric").estimate(random_crops(1), None)
    assert np.abs(relative.astype(float) - metric.astype(float)).max() < 0.05


def test_crops_are_resized_and_normalised_on_the_device_as_the_model_expects():
    estimator = planted(np.zeros((28, 28)), "relative")
    grey = np.tile((np.asarray(IMAGENET_MEAN) * 255).round().astype(np.uint8), (3, SIDE, SIDE, 1))
    estimator.estimate(grey, None)
    seen = estimator.network.seen
    assert seen.shape == (3, 3, 28, 28) and seen.abs().max() < 0.02  # the mean maps to zero


# -- the depth stage -----------------------------------------------------------------------------
class RowStamp:
    """A stand-in estimator whose map of a crop is the crop's first pixel / 255, with a NaN
    corner; crops whose first pixel is 0 get no depth at all."""

    batch_size = 3
    identity: dict = {}
    marks_background = True

    def estimate(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        maps = np.repeat(crops[:, :1, :1, 0] / 255, crops.shape[1], 1).repeat(crops.shape[2], 2)
        maps[:, 0, 0] = np.nan
        maps[crops[:, 0, 0, 0] == 0] = np.nan
        return maps.astype(np.float32)


def test_maps_are_written_row_for_row_compressed_and_readable(tmp_path):
    crops = random_crops(8)
    crops[5, 0, 0, 0] = 0
    with h5py.File(tmp_path / "depth.h5", "w") as out:
        depth = create_depth_dataset(out, len(crops), SIDE, {"backend": "stamp"}, True)
        empty = estimate_into(RowStamp(), crops, np.zeros((8, 68, 2)), depth, threads=2,
                              source="faces.h5")
    assert empty == 1
    with h5py.File(tmp_path / "depth.h5") as stored:
        depth = stored["depth"]
        assert depth.chunks == (1, SIDE, SIDE) and depth.compression == "gzip" and depth.shuffle
        assert depth.dtype == np.float16 and depth.attrs["backend"] == "stamp"
        assert bool(depth.attrs["nan_background"])
        for row, crop in enumerate(crops):
            expected = RowStamp().estimate(crop[None], None)[0].astype(np.float16)
            assert np.array_equal(depth[row], expected, equal_nan=True), row


class Broken(RowStamp):
    """RowStamp whose backend marks no background, with one bad value in two of the rows."""

    marks_background = False

    def __init__(self, value: float):
        self.value = value

    def estimate(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        maps = np.nan_to_num(super().estimate(crops, landmarks))
        maps[np.isin(crops[:, 0, 0, 1], (7, 9)), 1, 1] = self.value
        return maps


@pytest.mark.parametrize(("value", "what"), [(np.inf, "2 infinite"), (-np.inf, "2 infinite"),
                                             (1.5, "2 outside [0, 1]"),
                                             (np.nan, "2 NaN (its backend marks no background)")])
def test_the_writer_refuses_maps_outside_the_convention(tmp_path, value, what):
    crops = random_crops(8)
    crops[:, 0, 0, 1] = [0, 1, 2, 3, 7, 9, 6, 5]  # rows 4 and 5 (one batch) get the bad value
    with h5py.File(tmp_path / "depth.h5", "w") as out, pytest.raises(DepthValueError) as error:
        depth = create_depth_dataset(out, len(crops), SIDE, {}, nan_background=False)
        estimate_into(Broken(value), crops, np.zeros((8, 68, 2)), depth, threads=1,
                      source="shard3.h5")
    message = str(error.value)
    assert message.startswith("the depth of shard3.h5: 2 depth map(s)")
    assert f"{what} value(s), in row(s) 4, 5" in message


def faces_file(path: Path, crops: np.ndarray, landmarks: np.ndarray | None = None) -> Path:
    """A crops file as crop_faces writes it (landmarks zero unless given)."""
    with write_h5(path, {"faces": {"crop_size": crops.shape[1]}}) as out:
        out.create_dataset("crops", data=crops)
        out.create_dataset("landmarks", data=np.zeros((len(crops), 68, 2), np.float32)
                           if landmarks is None else landmarks)
    return path


def test_the_depth_stage_stores_neural_maps_aligned_with_the_crops(tiny_model, tmp_path):
    crops = random_crops(10, seed=1)
    out = tmp_path / "depth.h5"
    options = DepthBackendOptions(depth_anything=dict(
        model=str(tiny_model), input_size=28, batch_size=4, device="cpu"))
    estimate_depth(faces_file(tmp_path / "faces.h5", crops), "depth_anything", options, out,
                   threads=2)
    estimator = tiny_estimator(tiny_model, batch_size=4)
    with h5py.File(out) as stored:
        depth = stored["depth"]
        assert depth.shape == (10, SIDE, SIDE)
        for row in range(len(crops)):
            assert np.allclose(depth[row], estimator.estimate(crops[row:row + 1], None)[0],
                               atol=2e-3), row
        attributes = dict(depth.attrs)
    assert attributes["backend"] == "depth_anything" and attributes["input_size"] == 28
    assert attributes["model"] == str(tiny_model) and len(attributes["weights_sha256"]) == 64
    assert attributes["convention"].startswith("relative depth in [0, 1] per crop, 1 = nearest")
    assert attributes["code"] and attributes["maps_version"] == MAPS_VERSION


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the fallback without a GPU")
def test_asking_for_a_gpu_without_one_falls_back_to_the_cpu_with_one_warning(tiny_model,
                                                                            caplog):
    estimator = tiny_estimator(tiny_model, device="cuda")
    assert estimator.device.type == "cpu"
    [warning] = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warning.startswith("depth.depth_anything.device is cuda, but this job was given "
                              "no GPU (torch sees none): running on the CPU")
