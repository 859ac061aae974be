"""The face detector interface and its registry of backends."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from depthfake.plan.catalogue import FACE_BACKENDS


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
    """Finds every face of RGB uint8 frames, with their 68 landmarks."""

    batch_size: int  # frames best handed to detect_batch at once
    model_files: dict[str, Path]  # the model files it loaded, by option name

    def detect(self, frame: np.ndarray) -> list[Face]:
        """The faces of one frame (H, W, 3)."""
        ...

    def detect_batch(self, frames: np.ndarray) -> list[list[Face]]:
        """The faces of each of a stack of same-sized frames (N, H, W, 3)."""
        ...


class PerFrameDetector:
    """A detector that handles a batch one frame at a time (CPU backends)."""

    batch_size = 16  # any number does: a batch only bounds the frames read at once

    def detect(self, frame: np.ndarray) -> list[Face]:
        raise NotImplementedError

    def detect_batch(self, frames: np.ndarray) -> list[list[Face]]:
        return [self.detect(frame) for frame in frames]


list_face_backends = FACE_BACKENDS.names


def create_face_detector(name: str, **options) -> FaceDetector:
    """Build the face detector backend `name` with its options (e.g. `upsample` for dlib)."""
    return FACE_BACKENDS.create(name, **options)
