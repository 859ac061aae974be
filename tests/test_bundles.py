"""Model bundles: the validation threshold, the test metrics at a threshold, what an export
holds, loading from a folder and from the Hugging Face cache, and the digest check."""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pandas as pd
import pytest
import torch

from depthfake.bundles import BundleError, load_bundle
from depthfake.bundles.load import META_FILE, WEIGHTS_FILE
from depthfake.bundles.threshold import RULE, choose_threshold, metrics_at_thresholds, video_scores
from depthfake.depth.convention import MAPS_VERSION
from depthfake.faces.dlib_backend import PREDICTOR_FILE, packaged_model_path
from depthfake.storage.files import file_sha256
from depthfake.synthetic.bundle import made_up_predictions, write_random_bundle
from depthfake.synthetic.hub_cache import cache_as_download


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return write_random_bundle(tmp_path_factory.mktemp("bundle") / "mdn", crop_size=48)


def probabilities(model: torch.nn.Module) -> np.ndarray:
    generator = torch.Generator().manual_seed(1)
    rgb, depth = torch.rand(4, 3, 48, 48, generator=generator), torch.rand(4, 1, 48, 48,
                                                                           generator=generator)
    with torch.no_grad():
        return model(rgb, depth).softmax(dim=1)[:, 1].numpy()


def test_the_threshold_maximises_balanced_accuracy_nearest_one_half_among_ties():
    videos = pd.DataFrame({"label": [0, 0, 0, 1, 1, 1],
                           "prob_fake": [0.1, 0.3, 0.6, 0.5, 0.8, 0.9]})
    # 0.4 (between 0.3 and 0.5) catches every fake and passes 2 of 3 reals; 0.7 (between 0.6
    # and 0.8) passes every real and catches 2 of 3 fakes: both 5/6, and 0.4 is nearer 0.5
    assert choose_threshold(videos) == pytest.approx(0.4)
    separable = videos.assign(prob_fake=[0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    assert choose_threshold(separable) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="one class"):
        choose_threshold(videos[videos["label"] == 1])


def test_the_metrics_at_a_threshold_count_videos_with_cluster_intervals():
    frames = made_up_predictions(12, 4, seed=3)
    videos = video_scores(frames)
    metrics = metrics_at_thresholds(frames, {"at_0.5": 0.5, "at_low": 0.2}, resamples=300,
                                    level=0.9, seed=0)
    assert (metrics["videos"], metrics["clusters"], metrics["faces"]) == (12, 6, 48)
    for name, threshold in (("at_0.5", 0.5), ("at_low", 0.2)):
        called = videos["prob_fake"] >= threshold
        fake = videos["label"] == 1
        expected = {"accuracy": (called == fake).mean(), "fake_recall": called[fake].mean(),
                    "real_recall": (~called[~fake]).mean()}
        expected["balanced_accuracy"] = (expected["fake_recall"] + expected["real_recall"]) / 2
        for metric, value in expected.items():
            found = metrics[name][metric]
            assert found["value"] == pytest.approx(value)
            assert found["low"] <= found["value"] <= found["high"]
    assert metrics["at_low"]["fake_recall"]["value"] == 1.0
    assert 0.5 < metrics["video_auc"]["value"] <= 1.0


def test_a_bundle_states_its_preprocessing_threshold_and_metrics(bundle):
    meta = json.loads((bundle / META_FILE).read_text())
    assert meta["weights"]["sha256"] == file_sha256(bundle / WEIGHTS_FILE)
    faces = meta["preprocessing"]["faces"]
    assert faces["backend"] == "dlib" and faces["dlib"] == {"upsample": 0,
                                                          "landmark_model": None}
    assert "dlib_cnn" not in faces  # only the backend's own options
    assert faces["models"]["landmark_model"] == {
        "file": PREDICTOR_FILE, "sha256": file_sha256(packaged_model_path(PREDICTOR_FILE))}
    depth = meta["preprocessing"]["depth"]
    assert depth["backend"] == "landmark_mesh" and depth["identity"]["maps_version"] == \
        MAPS_VERSION
    assert meta["preprocessing"]["normalisation"]["rgb_mean"] == [0.485, 0.456, 0.406]
    assert meta["threshold"]["rule"] == RULE and meta["threshold"]["validation"]["videos"] == 8
    assert meta["test"]["at_0.5"]["threshold"] == 0.5
    assert meta["test"]["at_threshold"]["threshold"] == meta["threshold"]["value"]
    assert meta["demo"] is True
    card = (bundle / "README.md").read_text()
    assert f"{meta['threshold']['value']:.4f}" in card and "Youden" in card
    assert "its verdicts mean nothing" in card and "non-commercial research use only" in card
    assert "MediaPipe" in card and "depthfake detect VIDEO.mp4 --model BUNDLE" in card


def test_a_copied_bundle_and_its_hub_id_give_identical_probabilities(bundle, tmp_path,
                                                                       monkeypatch):
    import huggingface_hub

    original = probabilities(load_bundle(bundle).model)
    copied = shutil.copytree(bundle, tmp_path / "elsewhere" / "bundle")
    assert np.array_equal(probabilities(load_bundle(copied).model), original)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    commit = cache_as_download(bundle, tmp_path / "hub", "lab/depthfake-mdn")
    for source in ("lab/depthfake-mdn", f"lab/depthfake-mdn@{commit}"):
        loaded = load_bundle(source)
        assert loaded.folder.name == commit
        assert np.array_equal(probabilities(loaded.model), original)
    with pytest.raises(BundleError, match="not in the Hugging Face cache"):
        load_bundle("lab/another-model")
    with pytest.raises(BundleError, match="not in the Hugging Face cache"):
        load_bundle("lab/depthfake-mdn@no-such-revision")


def test_one_changed_weight_byte_is_refused(bundle, tmp_path):
    changed = shutil.copytree(bundle, tmp_path / "changed")
    data = bytearray((changed / WEIGHTS_FILE).read_bytes())
    data[-1] ^= 1
    (changed / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(BundleError, match="changed or damaged"):
        load_bundle(changed)


class Planted:
    """A pickle that would write a file when unpickled."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_a_pickle_in_place_of_the_weights_is_never_unpickled(bundle, tmp_path):
    planted = shutil.copytree(bundle, tmp_path / "planted")
    marker = tmp_path / "unpickled"
    (planted / WEIGHTS_FILE).write_bytes(pickle.dumps(Planted(marker)))
    meta = json.loads((planted / META_FILE).read_text())
    meta["weights"]["sha256"] = file_sha256(planted / WEIGHTS_FILE)  # a matching digest
    (planted / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(BundleError, match="does not load"):
        load_bundle(planted)
    assert not marker.exists()


def test_what_is_not_a_bundle_is_one_clear_error(bundle, tmp_path):
    with pytest.raises(BundleError, match="is not a bundle: it has no model.safetensors"):
        load_bundle(tmp_path)
    with pytest.raises(BundleError, match="neither a folder nor a hub id"):
        load_bundle(str(tmp_path / "no" / "such" / "folder"))
    other = shutil.copytree(bundle, tmp_path / "future")
    meta = json.loads((other / META_FILE).read_text())
    (other / META_FILE).write_text(json.dumps({**meta, "format": 99}))
    with pytest.raises(BundleError, match="format 99"):
        load_bundle(other)
