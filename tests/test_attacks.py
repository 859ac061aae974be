"""Each black-box attack changes the crop as specified, identically for every model."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from depthfake.attacks import (
    ATTACKS,
    AttackSettings,
    attack_sample,
    blur,
    noise,
    rescale,
    sample_rng,
    translate,
)

P = AttackSettings()


@pytest.fixture
def crop() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    rgb = cv2.GaussianBlur(rng.uniform(0.2, 0.8, (64, 64, 3)).astype(np.float32), (3, 3), 1)
    depth = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (64, 1))
    return rgb, depth


def high_frequency_energy(image: np.ndarray) -> float:
    return float(np.abs(cv2.Laplacian(image, cv2.CV_32F)).mean())


def test_blur_uses_a_sigma_in_the_paper_range(crop):
    rgb, _ = crop
    (out,) = blur([rgb], P, np.random.default_rng(3))
    sigma = np.random.default_rng(3).uniform(4, 8)
    assert 4 <= sigma <= 8
    assert np.allclose(out, cv2.GaussianBlur(rgb, (5, 5), sigma, borderType=cv2.BORDER_REFLECT_101))
    assert high_frequency_energy(out) < 0.5 * high_frequency_energy(rgb)


def test_noise_has_a_paper_sigma_on_the_pixel_scale():
    grey = np.full((128, 128, 3), 0.5, np.float32)  # far from the clip bounds
    sigmas = set()
    for seed in range(20):
        (out,) = noise([grey], P, np.random.default_rng(seed))
        measured = float((out - grey).std())
        sigma = min((0.05, 0.07), key=lambda s: abs(s - measured))
        assert measured == pytest.approx(sigma, rel=0.05)
        sigmas.add(sigma)
    assert sigmas == {0.05, 0.07}  # both values are drawn
    (out,) = noise([np.ones((8, 8), np.float32)], P, np.random.default_rng(0))
    assert out.max() <= 1.0  # clipped to the pixel range


def test_rescale_goes_down_to_64_224_of_the_side_and_back(crop):
    rgb, _ = crop
    (out,) = rescale([rgb], P, np.random.default_rng(0))
    small = round(64 * 64 / 224)
    assert small == 18 and out.shape == rgb.shape
    expected = cv2.resize(cv2.resize(rgb, (18, 18), interpolation=cv2.INTER_AREA), (64, 64),
                          interpolation=cv2.INTER_LINEAR)
    assert np.allclose(out, expected)
    assert high_frequency_energy(out) < 0.5 * high_frequency_energy(rgb)


def test_translate_shifts_by_at_most_a_tenth_and_fills_zeros():
    image = np.zeros((100, 100), np.float32)
    image[50, 50] = 1.0
    for seed in range(10):
        (out,) = translate([image], P, np.random.default_rng(seed))
        dx, dy = np.random.default_rng(seed).uniform(-0.1, 0.1, 2) * 100
        y, x = np.unravel_index(out.argmax(), out.shape)
        assert abs(x - (50 + dx)) <= 1 and abs(y - (50 + dy)) <= 1
        assert abs(dx) <= 10 and abs(dy) <= 10
    ones = np.ones((100, 100), np.float32)
    (shifted,) = translate([ones], P, np.random.default_rng(1))
    assert (shifted == 0).any()  # the uncovered border is zero


def test_combined_is_blur_noise_rescale_translate_in_order(crop):
    rgb, depth = crop
    expected = [rgb, depth]
    rng = np.random.default_rng(5)
    for attack in (blur, noise, rescale, translate):
        expected = attack(expected, P, rng)
    out = ATTACKS["CMB"]([rgb, depth], P, np.random.default_rng(5))
    assert all(np.array_equal(a, b) for a, b in zip(out, expected, strict=True))


@pytest.mark.parametrize("condition", list(ATTACKS))
def test_each_attack_changes_rgb_and_depth_reproducibly(condition, crop):
    rgb, depth = crop
    first = attack_sample(condition, rgb, depth, P, sample_rng(7, "000", "FaceSwap", 3))
    again = attack_sample(condition, rgb, depth, P, sample_rng(7, "000", "FaceSwap", 3))
    other = attack_sample(condition, rgb, depth, P, sample_rng(7, "000", "FaceSwap", 4))
    assert not np.allclose(first[0], rgb) and not np.allclose(first[1], depth)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    if condition != "RSC":  # the only draw-free attack
        assert not np.array_equal(first[0], other[0])


def test_depth_gets_the_same_geometric_draw_as_rgb():
    rgb = np.zeros((100, 100, 3), np.float32)
    rgb[50, 50] = 1.0
    depth = rgb[..., 0].copy()
    out_rgb, out_depth = attack_sample("TRN", rgb, depth, P, sample_rng(0, "v", "real", 0))
    assert out_rgb[..., 0].argmax() == out_depth.argmax()


def test_clean_is_untouched(crop):
    rgb, depth = crop
    out = attack_sample("clean", rgb, depth, P, sample_rng(0, "v", "real", 0))
    assert out[0] is rgb and out[1] is depth


def test_fakes_of_one_target_get_distinct_draws_per_kind(crop):
    rgb, depth = crop
    swap = attack_sample("NSE", rgb, depth, P, sample_rng(7, "000_003", "FaceSwap", 3))
    reenact = attack_sample("NSE", rgb, depth, P, sample_rng(7, "000_003", "Face2Face", 3))
    assert not np.array_equal(swap[0], reenact[0])
