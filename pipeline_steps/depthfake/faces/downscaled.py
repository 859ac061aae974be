"""Face detection on downscaled frames, for frames larger than the detector needs: boxes and
landmarks come back in the full frame's pixels, so the crop is cut from the full frame."""

from __future__ import annotations

import cv2
import numpy as np

from depthfake.faces.base import Face, FaceDetector


class DownscaledDetector:
    """`detector` run on frames whose larger side is cut to `max_side` (INTER_AREA); frames
    no larger go to it unchanged."""

    def __init__(self, detector: FaceDetector, max_side: int):
        self.detector = detector
        self.max_side = max_side
        self.batch_size = detector.batch_size
        self.model_files = detector.model_files

    def scale(self, frame_shape: tuple[int, ...]) -> float:
        """The factor frames of this shape are resized by (1: not resized)."""
        return min(1.0, self.max_side / max(frame_shape[:2]))

    def detect(self, frame: np.ndarray) -> list[Face]:
        return self.detect_batch(frame[None])[0]

    def detect_batch(self, frames: np.ndarray) -> list[list[Face]]:
        factor = self.scale(frames.shape[1:])
        if factor == 1.0:
            return self.detector.detect_batch(frames)
        height, width = frames.shape[1:3]
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        small = np.stack([cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
                          for frame in frames])
        back = np.float32(width / size[0]), np.float32(height / size[1])
        return [[Face(box=face.box * np.array([*back, *back], np.float32),
                      landmarks=face.landmarks * np.array(back, np.float32))
                 for face in faces] for faces in self.detector.detect_batch(small)]
