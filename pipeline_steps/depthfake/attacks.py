"""Black-box attacks on face crops, in pixel space ([0, 1] floats) before normalisation.

Every random draw comes from a generator seeded by (seed, video, kind, frame), so each model
sees exactly the same perturbed sample. Depth is attacked in the paper's `perturb` mode:
the same operation, with the same drawn parameters, applied to the stored depth map.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import cv2
import numpy as np

from depthfake.settings import AttackSettings

Images = list[np.ndarray]


def blur(images: Images, p: AttackSettings, rng: np.random.Generator) -> Images:
    """BLR: Gaussian blur, kernel `blur_kernel`, sigma uniform in [min, max]."""
    sigma = rng.uniform(p.blur_sigma_min, p.blur_sigma_max)
    k = p.blur_kernel
    return [cv2.GaussianBlur(im, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)
            for im in images]


def noise(images: Images, p: AttackSettings, rng: np.random.Generator) -> Images:
    """NSE: additive Gaussian noise, sigma drawn per sample from `noise_sigmas`, clipped."""
    sigma = float(rng.choice(p.noise_sigmas))
    return [np.clip(im + rng.normal(0.0, sigma, im.shape), 0.0, 1.0).astype(np.float32)
            for im in images]


def rescale(images: Images, p: AttackSettings, rng: np.random.Generator) -> Images:
    """RSC: shrink the side by `rescale_factor` (area filter) and resize back (bilinear)."""
    side = images[0].shape[0]
    small = max(1, round(side * p.rescale_factor))
    return [cv2.resize(cv2.resize(im, (small, small), interpolation=cv2.INTER_AREA),
                       (side, side), interpolation=cv2.INTER_LINEAR) for im in images]


def translate(images: Images, p: AttackSettings, rng: np.random.Generator) -> Images:
    """TRN: shift by up to `translate_max` of the side in x and y, zeros shifted in."""
    side = images[0].shape[0]
    dx, dy = rng.uniform(-p.translate_max, p.translate_max, size=2) * side
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    return [cv2.warpAffine(im, matrix, (side, side), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0) for im in images]


def combined(images: Images, p: AttackSettings, rng: np.random.Generator) -> Images:
    """CMB: BLR, then NSE, then RSC, then TRN."""
    for attack in (blur, noise, rescale, translate):
        images = attack(images, p, rng)
    return images


ATTACKS: dict[str, Callable[[Images, AttackSettings, np.random.Generator], Images]] = {
    "BLR": blur, "NSE": noise, "RSC": rescale, "TRN": translate, "CMB": combined,
}
CONDITIONS = ("clean", *ATTACKS)


def sample_rng(seed: int, video: str, kind: str, frame: int) -> np.random.Generator:
    """The generator of one sample's draws: the same for every model and run, and distinct
    for the fakes of different kinds made from one target video."""
    return np.random.default_rng([seed, zlib.crc32(video.encode()), zlib.crc32(kind.encode()),
                                  int(frame)])


def attack_sample(condition: str, rgb: np.ndarray, depth: np.ndarray, params: AttackSettings,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Apply one condition to an RGB crop (H, W, 3) and its depth map (H, W), both in [0, 1]."""
    if condition == "clean":
        return rgb, depth
    rgb, depth = ATTACKS[condition]([rgb, depth], params, rng)
    return rgb, depth
