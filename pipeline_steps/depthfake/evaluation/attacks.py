"""Black-box attacks on face crops, in pixel space before normalisation.

The conditions they are run under are named in depthfake.evaluation.conditions. BLR, RSC and
TRN equal, on the same draw, the torchvision transforms of the paper's code:
`GaussianBlur(5, sigma=(4, 8))`, `Resize(64)` then `Resize(224)` and
`RandomAffine(degrees=0, translate=(0.1, 0.1))`. Attacks act on [0, 1] float images of any
channel count, (H, W, C) or (H, W), with no rounding between CMB's steps; the attacked RGB crop
is rounded back to uint8, as an image an adversary hands over is. Every random draw comes from
a generator keyed by (seed, video, kind, frame, condition), so every model sees exactly the
same attacked sample. The paper's `perturb` depth mode applies the same operation, with the
same draws, to the stored depth map.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import cv2
import numpy as np
import torch
from torchvision.transforms.v2 import functional as tvf

from depthfake.evaluation.conditions import CLEAN, parse_condition
from depthfake.settings import AttackSettings

Images = list[np.ndarray]
Attack = Callable[[Images, AttackSettings, np.random.Generator, float | None], Images]


def blur(images: Images, p: AttackSettings, rng: np.random.Generator,
         sigma: float | None = None) -> Images:
    """BLR: Gaussian blur, kernel `blur_kernel`, sigma uniform in [min, max] (or `sigma`),
    reflected borders: torchvision's `GaussianBlur` (to float rounding)."""
    drawn = rng.uniform(p.blur_sigma_min, p.blur_sigma_max)
    k = p.blur_kernel
    return [cv2.GaussianBlur(im, (k, k), drawn if sigma is None else sigma,
                             borderType=cv2.BORDER_REFLECT_101) for im in images]


def noise(images: Images, p: AttackSettings, rng: np.random.Generator,
          sigma: float | None = None) -> Images:
    """NSE: additive Gaussian noise, sigma drawn per sample from `noise_sigmas` (or `sigma`),
    clipped to [0, 1]. The noise comes from a generator seeded by one draw, so the draws after
    it do not depend on how many images there are (a depth map or not)."""
    drawn = float(rng.choice(p.noise_sigmas))
    sigma = drawn if sigma is None else sigma
    pixels = np.random.default_rng(rng.integers(2**63))
    return [np.clip(im + pixels.normal(0.0, sigma, im.shape), 0.0, 1.0).astype(np.float32)
            for im in images]


def rescale(images: Images, p: AttackSettings, rng: np.random.Generator,
            factor: float | None = None) -> Images:
    """RSC: torchvision's `Resize` (bilinear, antialiased) to `rescale_factor` (or `factor`) of
    the side and back: `Resize(64)` then `Resize(224)` on a 224 px crop."""
    side = images[0].shape[0]
    small = max(1, round(side * (p.rescale_factor if factor is None else factor)))
    return [from_chw(tvf.resize(tvf.resize(to_chw(im), [small, small]), [side, side]), im.ndim)
            for im in images]


def to_chw(image: np.ndarray) -> torch.Tensor:
    """An (H, W, C) or (H, W) array as a contiguous (C, H, W) tensor (channels-last resizes
    slower)."""
    tensor = torch.from_numpy(np.ascontiguousarray(image))
    return (tensor.permute(2, 0, 1) if image.ndim == 3 else tensor[None]).contiguous()


def from_chw(tensor: torch.Tensor, ndim: int) -> np.ndarray:
    """A (C, H, W) tensor back as a contiguous (H, W, C) array, or (H, W) where `ndim` is 2."""
    return (tensor.permute(1, 2, 0) if ndim == 3 else tensor[0]).contiguous().numpy()


def translation_offset(side: int, largest: float, rng: np.random.Generator) -> np.ndarray:
    """TRN's draw, as `RandomAffine`'s: the shift (dx, dy) in whole pixels, each uniform in
    +-`largest` of the side, rounded half to even."""
    return np.rint(rng.uniform(-largest, largest, size=2) * side).astype(int)


def shift(image: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """`image` moved `dx` pixels right and `dy` down (each at most its side), zeros shifted
    in."""
    height, width = image.shape[:2]
    out = np.zeros_like(image)
    out[max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = image[
        max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]
    return out


def translate(images: Images, p: AttackSettings, rng: np.random.Generator,
              largest: float | None = None) -> Images:
    """TRN: a whole-pixel shift by up to `translate_max` (or `largest`) of the side in x and y,
    zeros shifted in: torchvision's `RandomAffine(degrees=0, translate=...)` (nearest, fill
    0)."""
    dx, dy = translation_offset(images[0].shape[0], p.translate_max if largest is None
                                else largest, rng)
    return [shift(im, dx, dy) for im in images]


def jpeg(images: Images, p: AttackSettings, rng: np.random.Generator,
         quality: float | None = None) -> Images:
    """JPG: a round trip through OpenCV's JPEG encoder at `jpeg_quality` (or `quality`); RGB
    images are encoded as colour (4:2:0), single-channel ones as greyscale."""
    quality = int(p.jpeg_quality if quality is None else quality)
    return [jpeg_round_trip(to_uint8(im), quality).astype(np.float32) / 255 for im in images]


def jpeg_round_trip(image: np.ndarray, quality: int) -> np.ndarray:
    """An RGB (H, W, 3) or greyscale (H, W) uint8 image, encoded as JPEG at `quality` and
    decoded."""
    colour = image.ndim == 3
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if colour
                               else image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE)
    return cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB) if colour else decoded


def combined(images: Images, p: AttackSettings, rng: np.random.Generator,
             level: float | None = None) -> Images:
    """CMB: BLR, then NSE, then RSC, then TRN, each at the paper's parameters, in floats."""
    for attack in (blur, noise, rescale, translate):
        images = attack(images, p, rng)
    return images


ATTACKS: dict[str, Attack] = {
    "BLR": blur, "NSE": noise, "RSC": rescale, "TRN": translate, "CMB": combined, "JPG": jpeg,
}
def sample_rng(seed: int, video: str, kind: str, frame: int, condition: str
               ) -> np.random.Generator:
    """The generator of one sample's draws under one condition: the same for every model and
    run, distinct for the fakes of different kinds made from one target video."""
    return np.random.default_rng([seed, zlib.crc32(video.encode()), zlib.crc32(kind.encode()),
                                  int(frame), zlib.crc32(condition.encode())])


def to_uint8(image: np.ndarray) -> np.ndarray:
    """[0, 1] floats rounded to uint8 pixels."""
    return np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)


def attack_images(condition: str, images: Images, params: AttackSettings,
                  rng: np.random.Generator) -> Images:
    """One condition applied to [0, 1] float images with one set of draws."""
    attack, level = parse_condition(condition)
    if condition == CLEAN:
        return images
    return ATTACKS[attack](images, params, rng, level)
