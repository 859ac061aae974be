"""Each black-box attack changes the crop as specified, identically for every model; BLR, RSC,
TRN and CMB equal the seed code's torchvision transforms on the same draws; sweep levels fix
the drawn parameter; recompute re-estimates depth from the attacked crop."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import cv2
import numpy as np
import pandas as pd
import pytest
import torch
from torchvision.transforms import InterpolationMode, RandomAffine, v2
from torchvision.transforms.v2 import functional as tvf

from depthfake.datasets.loader import FaceBatches
from depthfake.depth.store import create_depth_dataset
from depthfake.evaluation import depth_under_attack as recompute_module
from depthfake.evaluation.attacks import (
    ATTACKS,
    AttackSettings,
    attack_images,
    blur,
    jpeg,
    jpeg_round_trip,
    noise,
    rescale,
    sample_rng,
    to_uint8,
    translate,
    translation_offset,
)
from depthfake.evaluation.conditions import (
    ATTACK_NAMES,
    conditions,
    parse_condition,
    sweep_condition,
)
from depthfake.evaluation.depth_under_attack import REFIT_MIN_SIDE, DepthRecompute
from depthfake.faces import Face, crop_face, largest_face
from depthfake.settings import FaceSettings, SweepSettings
from depthfake.settings.evaluation import levels_left_clean
from depthfake.storage.h5 import write_h5

P = AttackSettings()
SIDE = 64
ODD = 63  # an odd crop side


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


def test_translation_moves_the_content_by_the_drawn_whole_pixels():
    texture = np.random.default_rng(0).uniform(0, 1, (SIDE, SIDE)).astype(np.float32)
    for seed, largest in ((1, 0.1), (2, 0.1), (3, 0.2)):
        (out,) = translate([texture], P, np.random.default_rng(seed), largest)
        dx, dy = translation_offset(SIDE, largest, np.random.default_rng(seed))
        assert isinstance(dx, np.integer) and 0 < max(abs(dx), abs(dy)) <= round(largest * SIDE)
        sources = np.indices(texture.shape) - np.array([dy, dx])[:, None, None]
        covered = ((sources >= 0) & (sources < SIDE)).all(axis=0)
        moved = np.where(covered, np.roll(texture, (dy, dx), axis=(0, 1)), 0)
        assert np.array_equal(out, moved)  # exact pixels, no interpolation; zeros shifted in


class HalfPixels:
    """A generator stand-in whose uniform draws land the shift on half pixels."""

    def uniform(self, low: float, high: float, size: int) -> np.ndarray:
        return np.array([0.625, -0.875])


def test_translation_draws_whole_pixels_as_random_affine_does():
    assert translation_offset(4, 1.0, HalfPixels()).tolist() == [2, -4]  # half to even
    torch.manual_seed(0)
    for side in (224, SIDE, ODD):
        ours = [translation_offset(side, 0.1, np.random.default_rng(seed)) for seed in range(2000)]
        theirs = [RandomAffine.get_params([0.0, 0.0], [0.1, 0.1], None, None, [side, side])[1]
                  for _ in range(2000)]
        bound = round(0.1 * side)  # 22 px at 224, 6 at 64
        assert set(np.ravel(ours)) == set(np.ravel(theirs)) == set(range(-bound, bound + 1))
        rng = np.random.default_rng(7)
        assert translation_offset(side, 0.1, np.random.default_rng(7)).tolist() == [
            round(float(v)) for v in rng.uniform(-0.1, 0.1, size=2) * side]


def test_combined_is_blur_noise_rescale_translate_in_order():
    images = [np.random.default_rng(0).uniform(0, 1, (SIDE, SIDE, 3)).astype(np.float32),
              np.tile(np.linspace(0, 1, SIDE, dtype=np.float32), (SIDE, 1))]
    expected, rng = images, np.random.default_rng(5)
    for attack in (blur, noise, rescale, translate):
        expected = attack(expected, P, rng)
    out = ATTACKS["CMB"](images, P, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(out, expected, strict=True))


KEY = (11, "000", "FaceSwap")


@pytest.fixture(scope="module")
def crops(astronaut, face_detector) -> dict[tuple[str, int], np.ndarray]:
    """uint8 RGB crops by (content, side): the astronaut's face as the pipeline cuts it, and
    uniform noise."""
    face = largest_face(face_detector.detect(astronaut))
    pixels = np.random.default_rng(0)
    return {(content, side): crop_face(astronaut, face, side, 1.3).image if content == "face"
            else pixels.integers(0, 256, (side, side, 3), np.uint8)
            for content in ("face", "noise") for side in (224, SIDE, ODD)}


def replay(condition: str, frame: int = 0) -> np.random.Generator:
    """The generator the loader draws a sample's attack from, to replay its draws."""
    return sample_rng(*KEY, frame, condition)


def attacked(condition: str, crop: np.ndarray, frame: int = 0) -> np.ndarray:
    """A uint8 crop under `condition` as the loader attacks it: [0, 1] floats, keyed draws,
    rounded back to uint8."""
    (out,) = attack_images(condition, [crop.astype(np.float32) / 255], P, replay(condition, frame))
    return to_uint8(out)


def chw(image: np.ndarray) -> torch.Tensor:
    """An (H, W, C) or (H, W) array as the (C, H, W) tensor torchvision takes."""
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(np.atleast_3d(image), -1, 0)))


def hwc(tensor: torch.Tensor, ndim: int = 3) -> np.ndarray:
    """A (C, H, W) tensor back in the layout of an `ndim`-dimensional array."""
    image = np.moveaxis(tensor.numpy(), 0, -1)
    return image if ndim == 3 else image[..., 0]


def torchvision_attack(condition: str, side: int, rng: np.random.Generator
                       ) -> Callable[[torch.Tensor], torch.Tensor]:
    """The seed code's torchvision transform for `condition` (BLR, RSC or TRN, at the paper's
    parameters or a sweep level), on the draws `rng` replays."""
    attack, level = parse_condition(condition)
    if attack == "BLR":
        drawn = rng.uniform(P.blur_sigma_min, P.blur_sigma_max)
        sigma = drawn if level is None else level
        return v2.GaussianBlur(P.blur_kernel, sigma=(sigma, sigma))
    if attack == "RSC":
        small = round(side * (P.rescale_factor if level is None else level))
        return v2.Compose([v2.Resize(small), v2.Resize(side)])
    largest = P.translate_max if level is None else level
    tx, ty = (round(float(v)) for v in rng.uniform(-largest, largest, size=2) * side)
    return partial(tvf.affine, angle=0.0, translate=[tx, ty], scale=1.0, shear=[0.0, 0.0],
                   interpolation=InterpolationMode.NEAREST, fill=0)


def grey_levels_apart(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    return np.abs(ours.astype(np.int16) - theirs.astype(np.int16))


@pytest.mark.parametrize("content", ["face", "noise"])
@pytest.mark.parametrize("side", [224, SIDE, ODD])
@pytest.mark.parametrize("condition", ["TRN", "TRN@0.2"])
def test_translation_equals_torchvision_random_affine_on_the_same_draw(crops, content, side,
                                                                      condition):
    crop, shifted = crops[content, side], 0
    for frame in range(8):
        expected = torchvision_attack(condition, side, replay(condition, frame))(chw(crop))
        out = attacked(condition, crop, frame)
        assert np.array_equal(out, hwc(expected))  # identical uint8
        shifted += not np.array_equal(out, crop)
    assert shifted >= 6


@pytest.mark.parametrize("content", ["face", "noise"])
@pytest.mark.parametrize("condition", ["BLR", "BLR@1"])
def test_blur_equals_torchvision_gaussian_blur_on_the_same_sigma(crops, content, condition):
    crop = crops[content, 224]
    transform = torchvision_attack(condition, 224, replay(condition))
    (floats,) = attack_images(condition, [crop.astype(np.float32) / 255], P, replay(condition))
    # floats agree to float rounding; the uint8 results where the two round a .5 differently
    assert np.abs(floats - hwc(transform(chw(crop.astype(np.float32) / 255)))).max() < 1e-6
    apart = grey_levels_apart(attacked(condition, crop), hwc(transform(chw(crop))))
    assert apart.max() <= 1 and (apart > 0).mean() < 1e-3


@pytest.mark.parametrize("content", ["face", "noise"])
@pytest.mark.parametrize("side", [224, SIDE, ODD])
def test_rescale_equals_torchvision_resize_down_and_back(crops, content, side):
    assert round(224 * P.rescale_factor) == 64  # Resize(64) then Resize(224)
    crop = crops[content, side]
    transform = torchvision_attack("RSC", side, replay("RSC"))
    (floats,) = attack_images("RSC", [crop.astype(np.float32) / 255], P, replay("RSC"))
    assert np.abs(floats - hwc(transform(chw(crop.astype(np.float32) / 255)))).max() < 1e-6
    # torchvision on uint8 rounds the small image to uint8 and uses fixed-point weights
    apart = grey_levels_apart(attacked("RSC", crop), hwc(transform(chw(crop))))
    assert apart.max() <= 2 and (apart > 1).mean() < 1e-3 and (apart > 0).mean() < 0.4


@pytest.mark.parametrize("content", ["face", "noise"])
def test_combined_equals_the_torchvision_chain_on_the_same_draws(crops, content):
    crop, rng = crops[content, 224], replay("CMB")
    blurred = torchvision_attack("BLR", 224, rng)
    sigma = float(rng.choice(P.noise_sigmas))
    noise_array = np.random.default_rng(rng.integers(2**63)).normal(0.0, sigma, crop.shape)
    rescaled = torchvision_attack("RSC", 224, rng)
    shifted = torchvision_attack("TRN", 224, rng)
    image = blurred(chw(crop.astype(np.float32) / 255))
    image = (image + chw(noise_array)).clamp(0, 1).float()
    expected = to_uint8(hwc(shifted(rescaled(image))))
    apart = grey_levels_apart(attacked("CMB", crop), expected)
    assert apart.max() <= 1 and (apart > 0).mean() < 1e-3
    assert grey_levels_apart(attacked("CMB", crop), crop).mean() > 5  # it did attack


@pytest.mark.parametrize("side", [224, SIDE, ODD])
@pytest.mark.parametrize("condition", ["BLR", "RSC", "TRN"])
def test_depth_maps_take_the_same_torchvision_attack(crops, side, condition):
    rows, cols = (np.indices((side, side)) - side / 2) / side
    inside = 1 - (cols / 0.35) ** 2 - (rows / 0.45) ** 2  # a face-like dome, zero outside
    depth = np.where(inside > 0, 0.3 + 0.5 * np.sqrt(np.clip(inside, 0, 1)), 0).astype(np.float32)
    images = [crops["face", side].astype(np.float32) / 255, depth]
    _, out = attack_images(condition, images, P, replay(condition))
    assert out.shape == (side, side) and out.dtype == np.float32
    expected = hwc(torchvision_attack(condition, side, replay(condition))(chw(depth)), 2)
    assert np.abs(out - expected).max() < 1e-6 and not np.allclose(out, depth, atol=1e-3)


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
    assert tuple(ATTACKS) == ATTACK_NAMES  # every named attack has its operation, in order
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


# (attack, a level rounding leaves clean, the next level up, which changes pixels) at SIDE
CLEAN_AND_NOT = [("TRN", 0.5 / SIDE, 0.6 / SIDE), ("RSC", 1 - 0.4 / SIDE, 1 - 0.6 / SIDE),
                 ("BLR", 0.25, 0.3), ("NSE", 0.0002, 0.0006)]


@pytest.mark.parametrize(("attack", "clean", "changing"), CLEAN_AND_NOT)
def test_the_sweep_levels_found_clean_change_no_pixel_and_the_next_ones_do(
        crops, attack, clean, changing):
    found = levels_left_clean(SweepSettings(**{attack: [clean, changing]}),
                              blur_kernel=P.blur_kernel, crop_size=SIDE)
    assert [level.split(":")[0] for level in found] == [sweep_condition(attack, clean)]
    crop = crops[("noise", SIDE)]
    for frame in range(20):  # TRN's and NSE's draws differ per frame
        assert np.array_equal(attacked(sweep_condition(attack, clean), crop, frame), crop)
    assert any(not np.array_equal(attacked(sweep_condition(attack, changing), crop, frame), crop)
               for frame in range(20))


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


def test_recompute_estimates_depth_from_the_attacked_and_clean_crops_with_refitted_landmarks(
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
    detector.frames = []  # it finds the face in the next crop again
    clean = FaceBatches(faces_shard, SIDE, True, condition="clean", attack_params=P, attack_seed=11,
                        depth_input="recompute", recompute=recompute)[[0]]
    stored = FaceBatches(faces_shard, SIDE, True, depth_input="estimated")[[0]]
    assert (stored.depth.numpy() == 0.5).all()  # the stored map, which recompute does not read
    assert np.array_equal(clean.rgb.numpy(), stored.rgb.numpy())
    assert np.array_equal(detector.frames[0], cv2.resize(clean.rgb.numpy()[0],
                                                         (REFIT_MIN_SIDE, REFIT_MIN_SIDE)))
    assert len(estimator.calls) == 2 and np.array_equal(estimator.calls[1][0], clean.rgb.numpy())
    assert (clean.depth.numpy() == 0.25).all()  # re-estimated from the clean crop, re-fitted
    with pytest.raises(ValueError, match="estimated depth input is the stored maps of clean"):
        FaceBatches(faces_shard, SIDE, True, condition="BLR", depth_input="estimated")


def test_recompute_with_the_real_backends_refits_the_astronauts_landmarks(faces_shard):
    recompute = DepthRecompute("landmark_mesh", {"focal_scale": 1.0},
                               FaceSettings(dlib={"upsample": 0}))
    batch = FaceBatches(faces_shard, SIDE, True, condition="JPG@90", attack_params=P,
                        attack_seed=11, depth_input="recompute", recompute=recompute)
    out = batch[[0, 1]]
    assert not out.depth_lost.any()
    depth = out.depth.numpy()
    assert ((depth > 0).mean(axis=(1, 2)) > 0.1).all() and depth.max() <= 1  # not the fallback
