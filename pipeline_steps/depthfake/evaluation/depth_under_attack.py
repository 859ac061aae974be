"""Depth re-estimated from attacked crops, as a black-box attack forces it on a defender: the
depth backend sees only the attacked image, and a backend that reads landmarks gets them
re-fitted on that image by the configured face detector.

When the detector finds no face in an attacked crop, its landmarks are lost: the face keeps
its place in the test set (so every model is compared on the same faces) with the fallback
depth map, all background (zeros), which is what a failed pose fit gives in the stored maps.
"""

from __future__ import annotations

import cv2
import numpy as np

from depthfake.depth.base import DepthEstimator, create_depth_estimator
from depthfake.depth.convention import check_convention
from depthfake.faces import FaceDetector, create_face_detector, largest_face
from depthfake.settings import FaceSettings

# Crops smaller than this are enlarged to it for the landmark re-fit: the face inside (about
# 100 px at FF++'s crop scale of 1.3) is then large enough for dlib's HOG detector (about
# 80 px). Larger crops (FF++'s 224 px) are searched as they are.
REFIT_MIN_SIDE = 128


class LandmarkRefit:
    """The 68 landmarks of the largest face `detector` finds in each crop, in crop pixels."""

    def __init__(self, detector: FaceDetector):
        self.detector = detector

    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(landmarks (N, 68, 2), lost (N,)): lost crops get zero landmarks."""
        side = crops.shape[1]
        searched = max(side, REFIT_MIN_SIDE)
        scale = searched / side
        landmarks = np.zeros((len(crops), 68, 2), np.float32)
        lost = np.zeros(len(crops), bool)
        for i, crop in enumerate(crops):
            frame = crop if searched == side else cv2.resize(
                crop, (searched, searched), interpolation=cv2.INTER_LINEAR)
            face = largest_face(self.detector.detect(frame))
            if face is None:
                lost[i] = True
            else:
                landmarks[i] = face.landmarks / scale
        return landmarks, lost


class DepthRecompute:
    """Depth maps of attacked uint8 crops by a depth backend, landmarks re-fitted where the
    backend reads them; built on first use (in the process that reads the batches)."""

    def __init__(self, backend: str, options: dict, faces: FaceSettings):
        self.backend, self.options, self.faces = backend, options, faces
        self._estimator: DepthEstimator | None = None
        self._refit: LandmarkRefit | None = None

    def __getstate__(self) -> dict:  # loader processes build their own models
        return {**self.__dict__, "_estimator": None, "_refit": None}

    def _build(self) -> None:
        self._estimator = create_depth_estimator(self.backend, **self.options)
        if self._estimator.needs_landmarks:
            self._refit = LandmarkRefit(create_face_detector(
                self.faces.backend, **self.faces.options_of(self.faces.backend)))

    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(depth (N, S, S) float32 in [0, 1], NaN background as 0; lost (N,) booleans)."""
        if self._estimator is None:
            self._build()
        if self._refit is None:
            landmarks, lost = np.zeros((len(crops), 68, 2), np.float32), np.zeros(len(crops), bool)
        else:
            landmarks, lost = self._refit(crops)
        depth = np.zeros(crops.shape[:3], np.float32)
        kept = ~lost
        if kept.any():
            maps = self._estimator.estimate(crops[kept], landmarks[kept])
            check_convention(maps, self._estimator.marks_background,
                             f"the {self.backend} depth of attacked crops", np.flatnonzero(kept))
            depth[kept] = np.nan_to_num(maps, nan=0.0)
        return depth, lost
