"""dlib's HOG face detector with its 68-point shape predictor."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from depthfake.faces.base import Face

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"


def default_predictor_path() -> Path | None:
    """The 68-point model shipped in the `face-recognition-models` wheel, located without
    importing it (its __init__ needs pkg_resources, gone from new setuptools)."""
    spec = find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(spec.submodule_search_locations[0]) / "models" / PREDICTOR_FILE


def resolve_predictor_path(path: str | os.PathLike | None) -> Path:
    """The landmark model to load, or one clear error saying how to supply it."""
    candidate = Path(path) if path else default_predictor_path()
    if candidate is None or not candidate.is_file():
        raise FileNotFoundError(
            f"dlib landmark model {PREDICTOR_FILE} not found"
            + (f" at {candidate}" if candidate else "")
            + ". Install it with `pip install face-recognition-models==0.3.0`, or download it from"
            " https://dlib.net/files/shape_predictor_68_face_landmarks.dat.bz2, unpack it and set"
            " faces.landmark_model in config.yaml to its path."
        )
    return candidate


class DlibFaceDetector:
    """HOG detector (`upsample` doublings of the frame first) and the 68-point predictor."""

    def __init__(self, upsample: int, landmark_model: str | os.PathLike | None):
        import dlib

        self.upsample = upsample
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(str(resolve_predictor_path(landmark_model)))

    def detect(self, frame: np.ndarray) -> list[Face]:
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        faces = []
        for rect in self._detector(frame, self.upsample):
            shape = self._predictor(frame, rect)
            landmarks = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
            box = np.array([rect.left(), rect.top(), rect.right(), rect.bottom()], np.float32)
            faces.append(Face(box=box, landmarks=landmarks))
        return faces
