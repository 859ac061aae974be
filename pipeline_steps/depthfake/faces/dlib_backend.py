"""dlib's face detectors (HOG, or the CNN's MMOD) with its 68-point shape predictor."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from depthfake.faces.base import Face, PerFrameDetector

PREDICTOR_FILE = "shape_predictor_68_face_landmarks.dat"
CNN_DETECTOR_FILE = "mmod_human_face_detector.dat"


def packaged_model_path(file_name: str) -> Path | None:
    """A model file shipped in the `face-recognition-models` wheel, located without importing
    it (its __init__ needs pkg_resources, gone from new setuptools)."""
    spec = find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(spec.submodule_search_locations[0]) / "models" / file_name


def resolve_model_path(path: str | os.PathLike | None, file_name: str, setting: str) -> Path:
    """The dlib model file to load (`path`, or null: the packaged `file_name`), or one clear
    error saying how to supply it through the config key `setting`."""
    candidate = Path(path) if path else packaged_model_path(file_name)
    if candidate is None or not candidate.is_file():
        raise FileNotFoundError(
            f"dlib model {file_name} not found"
            + (f" at {candidate}" if candidate else "")
            + ". Install it with `pip install face-recognition-models==0.3.0`, or download it"
            f" from https://dlib.net/files/{file_name}.bz2, unpack it and set {setting} in"
            " config.yaml to its path."
        )
    return candidate


def resolve_predictor_path(
    path: str | os.PathLike | None, setting: str = "faces.dlib.landmark_model"
) -> Path:
    """The 68-point landmark model to load, or one clear error saying how to supply it."""
    return resolve_model_path(path, PREDICTOR_FILE, setting)


class LandmarkedDlibDetector(PerFrameDetector):
    """A dlib detector's rectangles (`upsample` doublings of the frame first), each with the
    68-point predictor's landmarks; `setting` is the backend's config section."""

    def __init__(self, upsample: int, landmark_model: str | os.PathLike | None, setting: str):
        import dlib

        self.upsample = upsample
        predictor = resolve_predictor_path(landmark_model, f"{setting}.landmark_model")
        self._predictor = dlib.shape_predictor(str(predictor))
        self.model_files = {"landmark_model": predictor}

    def _rectangles(self, frame: np.ndarray, upsample: int) -> list:
        """The dlib rectangles of the faces of a contiguous uint8 RGB frame."""
        raise NotImplementedError

    def detect(self, frame: np.ndarray, upsample: int | None = None) -> list[Face]:
        """The faces of one frame, `upsample` doublings first (default: the detector's)."""
        frame = np.ascontiguousarray(frame, dtype=np.uint8)
        faces = []
        for rect in self._rectangles(frame, self.upsample if upsample is None else upsample):
            shape = self._predictor(frame, rect)
            landmarks = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
            box = np.array([rect.left(), rect.top(), rect.right(), rect.bottom()], np.float32)
            faces.append(Face(box=box, landmarks=landmarks))
        return faces


class DlibFaceDetector(LandmarkedDlibDetector):
    """dlib's HOG detector and the 68-point predictor."""

    def __init__(self, upsample: int, landmark_model: str | os.PathLike | None):
        import dlib

        super().__init__(upsample, landmark_model, "faces.dlib")
        self._detector = dlib.get_frontal_face_detector()

    def _rectangles(self, frame: np.ndarray, upsample: int) -> list:
        return list(self._detector(frame, upsample))


class DlibCnnFaceDetector(LandmarkedDlibDetector):
    """dlib's CNN (MMOD) detector, `detector_model` or null: the packaged one, and the
    68-point predictor."""

    def __init__(
        self,
        upsample: int,
        landmark_model: str | os.PathLike | None,
        detector_model: str | os.PathLike | None,
    ):
        import dlib

        super().__init__(upsample, landmark_model, "faces.dlib_cnn")
        detector = resolve_model_path(detector_model, CNN_DETECTOR_FILE,
                                      "faces.dlib_cnn.detector_model")
        self._detector = dlib.cnn_face_detection_model_v1(str(detector))
        self.model_files = {**self.model_files, "detector_model": detector}

    def _rectangles(self, frame: np.ndarray, upsample: int) -> list:
        return [detection.rect for detection in self._detector(frame, upsample)]
