"""The one motion generator of every demo clip: smooth rigid camera motion, photometric drift.

Reals (stills and video alike) go through it; fakes are made from the real frames it renders,
so motion and lighting carry no label.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class MotionStrength:
    """Largest excursion of each smooth curve over a clip."""

    pan: float  # output pixels
    zoom: float  # fraction of the scale
    rotation: float  # degrees
    brightness: float  # grey levels
    contrast: float  # fraction
    colour: float  # fraction of each channel's gain


STILL_MOTION = MotionStrength(pan=8.0, zoom=0.05, rotation=4.0, brightness=12.0, contrast=0.1,
                              colour=0.06)
VIDEO_MOTION = MotionStrength(pan=3.0, zoom=0.02, rotation=1.5, brightness=12.0, contrast=0.1,
                              colour=0.06)


@dataclass(frozen=True)
class Motion:
    """Per-frame affine maps (source pixels to output pixels) and photometric gains/offsets."""

    size: tuple[int, int]  # output (width, height)
    matrices: np.ndarray  # (n, 2, 3)
    gains: np.ndarray  # (n, 3)
    offsets: np.ndarray  # (n, 3)

    def render(self, index: int, image: np.ndarray) -> np.ndarray:
        """Output frame `index` made from the RGB source `image`."""
        frame = cv2.warpAffine(image, self.matrices[index], self.size, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT101)
        frame = frame.astype(np.float32) * self.gains[index] + self.offsets[index]
        return np.clip(frame, 0, 255).astype(np.uint8)

    def points(self, index: int, points: np.ndarray) -> np.ndarray:
        """Source points (k, 2) moved to where frame `index` shows them."""
        matrix = self.matrices[index]
        return (points @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)


def smooth_curve(rng: np.random.Generator, n: int, fps: float, amplitude: float,
                 max_hz: float = 0.6) -> np.ndarray:
    """A random curve within +-amplitude: a constant plus two slow sinusoids."""
    t = np.arange(n) / fps
    weights = rng.uniform(-1.0, 1.0, 3) * np.array([0.4, 0.3, 0.3])
    freqs = rng.uniform(0.1, max_hz, 2)
    phases = rng.uniform(0.0, 2 * np.pi, 2)
    waves = np.sin(2 * np.pi * freqs[:, None] * t + phases[:, None])
    return amplitude * (weights[0] + weights[1:] @ waves)


def frame_face(box: np.ndarray, size: tuple[int, int], face_width: float,
               shift: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """The 2x3 map scaling a face `box` to `face_width` pixels, centred (plus `shift`)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    scale = face_width / (x1 - x0)
    tx = size[0] / 2 + shift[0] - scale * (x0 + x1) / 2
    ty = size[1] / 2 + shift[1] - scale * (y0 + y1) / 2
    return np.array([[scale, 0.0, tx], [0.0, scale, ty]])


def random_motion(rng: np.random.Generator, n: int, fps: float, size: tuple[int, int],
                  base: np.ndarray, *, strength: MotionStrength) -> Motion:
    """`n` frames of smooth pan/zoom/rotation about the output centre after `base` (2x3),
    with slow brightness, contrast and colour drift."""
    centre = (size[0] / 2, size[1] / 2)
    pan = np.stack([smooth_curve(rng, n, fps, strength.pan) for _ in range(2)], axis=1)
    zoom = 1.0 + smooth_curve(rng, n, fps, strength.zoom)
    angle = smooth_curve(rng, n, fps, strength.rotation)
    base3 = np.vstack([base, [0.0, 0.0, 1.0]])
    matrices = np.empty((n, 2, 3))
    for i in range(n):
        step = cv2.getRotationMatrix2D(centre, float(angle[i]), float(zoom[i]))
        step[:, 2] += pan[i]
        matrices[i] = step @ base3
    slow = 0.3  # lighting drifts slower than the camera moves
    contrast = 1.0 + smooth_curve(rng, n, fps, strength.contrast, slow)
    colour = 1.0 + np.stack([smooth_curve(rng, n, fps, strength.colour, slow) for _ in range(3)],
                            axis=1)
    brightness = smooth_curve(rng, n, fps, strength.brightness, slow)
    gains = (contrast[:, None] * colour).astype(np.float32)
    offsets = (128.0 * (1.0 - gains) + brightness[:, None]).astype(np.float32)
    return Motion(size=size, matrices=matrices, gains=gains, offsets=offsets)
