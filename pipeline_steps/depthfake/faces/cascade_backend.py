"""dlib's HOG on every frame, then dlib's CNN only where HOG found no face: on the region
around the face of the nearest frame of the same video, enlarged. For small, compressed
faces: at CRF 40, HOG misses about a fifth of the frames of 42 px faces, which the CNN finds
there at a fraction of its whole-frame cost."""

from __future__ import annotations

import os

import cv2
import numpy as np

from depthfake.faces.base import Face, PerFrameDetector
from depthfake.faces.crop import largest_face
from depthfake.faces.dlib_backend import DlibCnnFaceDetector, DlibFaceDetector


def region_around(box: np.ndarray, scale: float, shape: tuple[int, ...]
                  ) -> tuple[int, int, int, int]:
    """The square (x0, y0, x1, y1) of `scale` times a face box's side around its centre,
    clipped to a frame of `shape`."""
    x0, y0, x1, y1 = box
    half = scale * max(x1 - x0, y1 - y0) / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (int(max(0, cx - half)), int(max(0, cy - half)),
            int(min(shape[1], cx + half)), int(min(shape[0], cy + half)))


class DlibCascadeDetector(PerFrameDetector):
    """HOG (`upsample` doublings) on every frame of a batch, a batch being one video's
    sampled frames; where it finds no face, the CNN on the region `region_scale` times the
    side of the nearest frame's face, enlarged so that face is `region_face` px. A video where
    HOG finds none at all: the CNN on its middle frame, whole, first. One frame alone (no
    video to borrow a face from): HOG, then the CNN on the whole frame."""

    batch_size = 4096  # frames per batch: a whole video's samples, so its faces guide the CNN

    def __init__(self, upsample: int, landmark_model: str | os.PathLike | None,
                 detector_model: str | os.PathLike | None, region_scale: float,
                 region_face: int):
        self._hog = DlibFaceDetector(upsample, landmark_model)
        self._cnn = DlibCnnFaceDetector(upsample, landmark_model, detector_model)
        self.model_files = self._cnn.model_files
        self.region_scale, self.region_face = region_scale, region_face

    def detect(self, frame: np.ndarray) -> list[Face]:
        return self._hog.detect(frame) or self._cnn.detect(frame)

    def detect_batch(self, frames: np.ndarray) -> list[list[Face]]:
        found = [self._hog.detect(frame) for frame in frames]
        seeds = [i for i, faces in enumerate(found) if faces]
        if not seeds and len(frames):
            middle = len(frames) // 2
            found[middle] = self._cnn.detect(frames[middle])
            seeds = [middle] if found[middle] else []
        for i, faces in enumerate(found):
            if not faces and seeds:
                near = min(seeds, key=lambda j: abs(j - i))
                found[i] = self.around(frames[i], largest_face(found[near]).box)
        return found

    def around(self, frame: np.ndarray, box: np.ndarray) -> list[Face]:
        """The CNN's faces in the region around `box`, in frame pixels."""
        x0, y0, x1, y1 = region_around(box, self.region_scale, frame.shape)
        zoom = max(1.0, self.region_face / max(1.0, float(max(box[2] - box[0],
                                                                 box[3] - box[1]))))
        region = cv2.resize(np.ascontiguousarray(frame[y0:y1, x0:x1]), None, fx=zoom, fy=zoom,
                            interpolation=cv2.INTER_CUBIC)
        offset = np.array([x0, y0], np.float32)
        return [Face(box=face.box / zoom + np.tile(offset, 2),
                     landmarks=face.landmarks / zoom + offset)
                for face in self._cnn.detect(region, upsample=0)]
