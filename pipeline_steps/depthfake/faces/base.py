"""The face detector interface and its registry of backends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from depthfake.catalogue import FACE_BACKENDS


@dataclass(frozen=True)
class Face:
    """One detected face: box (x0, y0, x1, y1) and 68 iBUG landmarks (x, y), frame pixels."""

    box: np.ndarray
    landmarks: np.ndarray

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return float(max(0.0, x1 - x0) * max(0.0, y1 - y0))


class FaceDetector(Protocol):
    """Finds every face of an RGB uint8 frame (H, W, 3), with its 68 landmarks."""

    def detect(self, frame: np.ndarray) -> list[Face]: ...


list_face_backends = FACE_BACKENDS.names


def create_face_detector(name: str, **options) -> FaceDetector:
    """Build the face detector backend `name` with its options (e.g. `upsample` for dlib)."""
    return FACE_BACKENDS.create(name, **options)
