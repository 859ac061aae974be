"""Each black-box attack changes the crop as specified, identically for every model; sweep
levels fix the drawn parameter; recompute re-estimates depth from the attacked crop."""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd
import pytest

from depthfake.datasets.loader import FaceBatches
from depthfake.depth.store import create_depth_dataset
from depthfake.evaluation import depth_under_attack as recompute_module
from depthfake.evaluation.attacks import (
    ATTACKS,
    AttackSettings,
    attack_images,
    blur,
    conditions,
    jpeg,
    jpeg_round_trip,
    noise,
    parse_condition,
    rescale,
    sample_rng,
    to_uint8,
    translate,
    translation_offset,
)
from depthfake.evaluation.depth_under_attack import REFIT_MIN_SIDE, DepthRecompute
from depthfake.faces import Face, crop_face, largest_face
from depthfake.settings import FaceSettings, SweepSettings
from depthfake.storage.h5 import write_h5

P = AttackSettings()
SIDE = 64


def grating(frequency: float, side: int = SIDE) -> np.ndarray:
    """A vertical sinusoid of `frequency` cycles per pixel along x, around grey, RGB."""
    x = np.arange(side, dtype=np.float32)
    row = 0.5 + 0.25 * np.sin(2 * np.pi * frequency * x)
    return np.repeat(np.tile(row, (side, 1))[..., None], 3, axis=2)


def amplitude(image: np.ndarray, frequency: float) -> float:
    """The amplitude of the x-sinusoid of `frequency` in the image's middle rows and columns
    (away from the borders)."""
    middle = image[16:-16, 16:-16, 0].mean(axis=0) - 0.5
    x = np.arange(16, SIDE - 16)
    basis = np.exp(-2j * np.pi * frequency * x)
    return float(2 * abs((middle * basis).mean()))


@pytest.mark.parametrize("frequency", [0.125, 0.25])
def test_blur_lowers_high_frequencies_as_its_sigma_predicts(frequency):
    measured, predictions = [], []
    for sigma in (1.0, 2.0, 4.0, 8.0):
        (out,) = blur([grating(frequency)], P, np.random.default_rng(0), sigma)
        kernel = cv2.getGaussianKernel(P.blur_kernel, sigma)[:, 0]
        taps = np.arange(P.blur_kernel) - P.blur_kernel // 2
        predicted = abs((kernel * np.exp(-2j * np.pi * frequency * taps)).sum())
        measured.append(amplitude(out, frequency) / 0.25)
        predictions.append(predicted)
        assert measured[-1] == pytest.approx(predicted, abs=0.01)
    # the truncated kernel's response need not fall with sigma at every frequency; the
    # measured order follows the predicted one
    assert np.argsort(measured).tolist() == np.argsort(predictions).tolist()
    assert max(measured) < 0.9


def test_blur_draws_a_sigma_in_the_paper_range():
    image = np.random.default_rng(0).uniform(0, 1, (SIDE, SIDE, 3)).astype(np.float32)
    (out,) = blur([image], P, np.random.default_rng(3))
    sigma = np.random.default_rng(3).uniform(4, 8)
    assert np.allclose(out, cv2.GaussianBlur(image, (5, 5), sigma,
                                             borderType=cv2.BORDER_REFLECT_101))


@pytest.mark.parametrize("sigma", [0.011, 0.05, 0.1])
def test_noise_has_the_configured_standard_deviation(sigma):
    grey = np.full((128, 128, 3), 0.5, np.float32)  # far from the clip bounds
    (out,) = noise([grey], P, np.random.default_rng(1), sigma)
    assert float((out - grey).std()) == pytest.approx(sigma, rel=0.03)
    rounded = to_uint8(out).astype(np.float32) / 255  # what a model sees: uint8 pixels
    assert float((rounded - grey).std()) == pytest.approx(sigma, rel=0.05)


def test_noise_draws_both_paper_sigmas_per_image():
    grey = np.full((128, 128, 3), 0.5, np.float32)
    seen = set()
    for seed in range(20):
        (out,) = noise([grey], P, np.random.default_rng(seed))
        measured = float((out - grey).std())
        seen.add(min((0.05, 0.07), key=lambda s: abs(s - measured)))
    assert seen == {0.05, 0.07}


@pytest.mark.parametrize("factor", [0.5, 64 / 224])
def test_rescale_keeps_the_size_and_removes_detail_above_its_band(factor):
    above = min(0.45, 1.2 * factor / 2)  # above the small image's Nyquist frequency
    below = factor / 8  # well inside the band
    for frequency, kept in ((above, False), (below, True)):
        (out,) = rescale([grating(frequency)], P, np.random.default_rng(0), factor)
        assert out.shape == (SIDE, SIDE, 3)
        ratio = amplitude(out, frequency) / 0.25
        assert (ratio > 0.8) if kept else (ratio < 0.15), (frequency, ratio)


def test_translation_moves_the_content_by_the_drawn_offset():
    texture = cv2.GaussianBlur(np.random.default_rng(0).uniform(0, 1, (SIDE, SIDE)), (0, 0), 2)
    texture = texture.astype(np.float32)
    window = cv2.createHanningWindow((SIDE, SIDE), cv2.CV_32F)
    for seed, largest in ((1, 0.1), (2, 0.1), (3, 0.2)):
        (out,) = translate([texture], P, np.random.default_rng(seed), largest)
        dx, dy = translation_offset(SIDE, largest, np.random.default_rng(seed))
        assert abs(dx) <= largest * SIDE and abs(dy) <= largest * SIDE
        (found_x, found_y), _ = cv2.phaseCorrelate(texture, out, window)
        assert (found_x, found_y) == pytest.approx((dx, dy), abs=0.35)
    (shifted,) = translate([np.ones((SIDE, SIDE), np.float32)], P, np.random.default_rng(1))
    assert (shifted == 0).any()  # the uncovered border is zero


def test_combined_is_blur_noise_rescale_translate_in_order():
    images = [np.random.default_rng(0).uniform(0, 1, (SIDE, SIDE, 3)).astype(np.float32),
              np.tile(np.linspace(0, 1, SIDE, dtype=np.float32), (SIDE, 1))]
    expected, rng = images, np.random.default_rng(5)
    for attack in (blur, noise, rescale, translate):
        expected = attack(expected, P, rng)
    out = ATTACKS["CMB"](images, P, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(out, expected, strict=True))


@pytest.mark.parametrize("quality", [90, 50, 10])
def test_jpeg_at_quality_q_is_a_round_trip_through_an_encoder_at_q(quality):
    rgb = (np.random.default_rng(0).uniform(0, 1, (SIDE, SIDE, 3)) * 255).astype(np.uint8)
    rgb = cv2.GaussianBlur(rgb, (0, 0), 1.5)
    (out,) = jpeg([rgb.astype(np.float32) / 255], P, np.random.default_rng(0), quality)
    ok, encoded = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok and np.array_equal(to_uint8(out), cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1])
    assert np.array_equal(jpeg_round_trip(rgb, quality), to_uint8(out))
    assert len(encoded) < rgb.nbytes and not np.array_equal(to_uint8(out), rgb)


def test_sweep_conditions_fix_the_drawn_parameter():
    sweeps = SweepSettings(BLR=[2.0], NSE=[0.011], RSC=[0.5], TRN=[0.2], JPG=[30])
    names = conditions(sweeps)
    assert names == ["clean", "BLR", "NSE", "RSC", "TRN", "CMB", "JPG", "BLR@2", "NSE@0.011",
                     "RSC@0.5", "TRN@0.2", "JPG@30"]
    assert parse_condition("NSE@0.011") == ("NSE", 0.011) and parse_condition("CMB") == (
        "CMB", None)
    image = [grating(0.25)]
    (swept,) = attack_images("BLR@2", image, P, np.random.default_rng(0))
    (direct,) = blur(image, P, np.random.default_rng(9), 2.0)
    assert np.array_equal(swept, direct)  # the level, whatever the draw
    with pytest.raises(ValueError, match="unknown condition"):
        parse_condition("FOG@1")


def test_draws_are_keyed_by_seed_video_kind_frame_and_condition():
    key = (7, "000", "FaceSwap", 3, "NSE")
    draw = sample_rng(*key).random()
    assert sample_rng(*key).random() == draw
    for changed in ((8, *key[1:]), (7, "001", *key[2:]), (7, "000", "Face2Face", 3, "NSE"),
                    (*key[:3], 4, "NSE"), (*key[:4], "NSE@0.05")):
        assert sample_rng(*changed).random() != draw


@pytest.fixture
def faces_shard(tmp_path, astronaut, face_detector) -> pd.DataFrame:
    """Two 64 px crops of the astronaut's face as the pipeline cuts them (FF++'s scale 1.3),
    with stored depth maps of 0.5."""
    crop = crop_face(astronaut, largest_face(face_detector.detect(astronaut)), SIDE, 1.3).image
    with write_h5(tmp_path / "faces.h5", {}) as h5:
        h5.create_dataset("crops", data=np.stack([crop, crop[:, ::-1]]))
    with write_h5(tmp_path / "depth.h5", {}) as h5:
        create_depth_dataset(h5, 2, SIDE, {}, nan_background=False)[:] = 0.5
    return pd.DataFrame(dict(video=["000", "001"], kind="real", label=0, frame=[0, 1], row=[0, 1],
                             face_file=str(tmp_path / "faces.h5"),
                             depth_file=str(tmp_path / "depth.h5")))


@pytest.mark.parametrize("condition", ["BLR", "NSE@0.05", "CMB", "JPG"])
def test_every_model_sees_the_same_attacked_crops(faces_shard, condition):
    batches = [FaceBatches(faces_shard, SIDE, reads, condition=condition, attack_params=P,
                           attack_seed=11, depth_input=depth_input)
               for reads, depth_input in ((False, "none"), (True, "perturb"), (True, "zero"))]
    batches.append(FaceBatches(faces_shard, SIDE, True, condition=condition, attack_params=P,
                               attack_seed=11))  # a second run
    crops = [b[[0, 1]].rgb.numpy() for b in batches]
    assert crops[0].dtype == np.uint8 and all(np.array_equal(crops[0], c) for c in crops)
    clean = FaceBatches(faces_shard, SIDE, False)[[0, 1]].rgb.numpy()
    assert not np.array_equal(crops[0], clean)
    assert not np.any(batches[2][[0, 1]].depth.numpy())  # zero: no depth, attacked or not


class SpyEstimator:
    needs_landmarks = True
    marks_background = True

    def __init__(self):
        self.calls = []

    def estimate(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        self.calls.append((crops.copy(), landmarks.copy()))
        return np.full(crops.shape[:3], 0.25, np.float32)


class SpyDetector:
    """Finds a face in the first crop it is given only; records what it saw."""

    def __init__(self):
        self.frames = []

    def detect(self, frame: np.ndarray) -> list[Face]:
        self.frames.append(frame.copy())
        if len(self.frames) > 1:
            return []
        points = np.tile([[REFIT_MIN_SIDE / 2, REFIT_MIN_SIDE / 4]], (68, 1)).astype(np.float32)
        return [Face(np.array([10, 10, 200, 200], np.float32), points)]


def test_recompute_estimates_depth_from_the_attacked_crops_with_refitted_landmarks(
        faces_shard, monkeypatch):
    estimator, detector = SpyEstimator(), SpyDetector()
    monkeypatch.setattr(recompute_module, "create_depth_estimator", lambda *a, **k: estimator)
    monkeypatch.setattr(recompute_module, "create_face_detector", lambda *a, **k: detector)
    recompute = DepthRecompute("landmark_mesh", {"focal_scale": 1.0}, FaceSettings())
    batch = FaceBatches(faces_shard, SIDE, True, condition="BLR", attack_params=P, attack_seed=11,
                        depth_input="recompute", recompute=recompute)[[0, 1]]
    attacked = batch.rgb.numpy()
    assert len(detector.frames) == 2  # a landmark fit on each attacked crop, enlarged
    for frame, crop in zip(detector.frames, attacked, strict=True):
        assert np.array_equal(frame, cv2.resize(crop, (REFIT_MIN_SIDE, REFIT_MIN_SIDE)))
    (crops, landmarks), = estimator.calls  # the crop whose landmarks were found
    assert np.array_equal(crops, attacked[:1])
    assert np.allclose(landmarks[0], [SIDE / 2, SIDE / 4])  # back in crop pixels
    depth = batch.depth.numpy()
    assert (depth[0] == 0.25).all() and (depth[1] == 0).all()  # lost: the fallback map
    assert batch.depth_lost.tolist() == [False, True]
    clean = FaceBatches(faces_shard, SIDE, True, condition="clean", attack_params=P, attack_seed=11,
                        depth_input="recompute", recompute=recompute)[[0]]
    assert (clean.depth.numpy() == 0.5).all() and len(estimator.calls) == 1  # stored maps


def test_recompute_with_the_real_backends_refits_the_astronauts_landmarks(faces_shard):
    recompute = DepthRecompute("landmark_mesh", {"focal_scale": 1.0},
                               FaceSettings(dlib={"upsample": 0}))
    batch = FaceBatches(faces_shard, SIDE, True, condition="JPG@90", attack_params=P,
                        attack_seed=11, depth_input="recompute", recompute=recompute)
    out = batch[[0, 1]]
    assert not out.depth_lost.any()
    depth = out.depth.numpy()
    assert ((depth > 0).mean(axis=(1, 2)) > 0.1).all() and depth.max() <= 1  # not the fallback
