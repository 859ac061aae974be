"""The HOG-then-CNN cascade keeps small, compressed faces: the CNN runs only where HOG found
none, on the region of the nearest frame's face, and its faces come back in frame pixels."""

from __future__ import annotations

import numpy as np
import pytest

from depthfake.datasets.video import read_sampled_frames, write_h264
from depthfake.faces import create_face_detector, largest_face
from depthfake.faces.base import Face
from depthfake.faces.cascade_backend import region_around
from depthfake.synthetic.videos import face_frames

OPTIONS = dict(upsample=1, landmark_model=None, detector_model=None, region_scale=3.0,
               region_face=100)


@pytest.fixture(scope="module")
def cascade():
    return create_face_detector("dlib_cascade", **OPTIONS)


@pytest.fixture(scope="module")
def c40_video(tmp_path_factory) -> np.ndarray:
    """16 frames of 640x480 at CRF 40 whose faces are 42 px wide (two people)."""
    path = tmp_path_factory.mktemp("c40") / "small.mp4"
    frames = [frame for identity in ("astronaut", "grace_hopper")
              for frame in face_frames(8, 480, 640, seed=5, face_side=42, identity=identity)]
    write_h264(path, frames, fps=25, crf=40)
    return np.stack(read_sampled_frames(path, 16)[1])


def box_width(face: Face) -> float:
    return float(face.box[2] - face.box[0])


def test_the_cascade_finds_the_small_compressed_faces_hog_misses(cascade, c40_video):
    hog = create_face_detector("dlib", upsample=1, landmark_model=None)
    by_hog = [bool(faces) for faces in hog.detect_batch(c40_video)]
    found = cascade.detect_batch(c40_video)
    assert not all(by_hog)  # the case the cascade is for
    assert all(found)
    for faces, hog_found in zip(found, by_hog, strict=True):
        face = largest_face(faces)
        assert abs(box_width(face) - 42) < 0.3 * 42, (hog_found, face.box)
        assert face.landmarks.shape == (68, 2)
        assert (face.landmarks.min(0) >= face.box[:2] - 15).all()
        assert (face.landmarks.max(0) <= face.box[2:] + 15).all()


def test_a_face_found_in_a_region_is_in_frame_pixels(cascade):
    frame = face_frames(1, 480, 640, seed=2, face_side=60)[0]
    hog_face = largest_face(cascade._hog.detect(frame))
    region_face = largest_face(cascade.around(frame, hog_face.box))
    assert np.abs(region_face.box - hog_face.box).max() < 0.25 * box_width(hog_face)
    assert np.abs(region_face.landmarks - hog_face.landmarks).mean() < 3


def test_regions_are_clipped_to_the_frame():
    assert region_around(np.array([10, 20, 50, 60]), 3.0, (100, 200, 3)) == (0, 0, 90, 100)
    assert region_around(np.array([100, 40, 120, 60]), 2.0, (480, 640, 3)) == (90, 30, 130, 70)


class Scripted:
    """A detector that finds a face in the frames it is told (by their first pixel)."""

    def __init__(self, finds: set[int]):
        self.finds, self.seen = finds, []

    def detect(self, frame, upsample=None):
        self.seen.append(int(frame[0, 0, 0]))
        face = Face(box=np.array([40, 40, 80, 80], np.float32),
                    landmarks=np.full((68, 2), 60, np.float32))
        return [face] if int(frame[0, 0, 0]) in self.finds else []


def test_the_cnn_runs_only_where_hog_found_nothing(cascade, monkeypatch):
    frames = np.stack([np.full((120, 160, 3), i, np.uint8) for i in range(5)])
    monkeypatch.setattr(cascade, "_hog", Scripted({3}))
    monkeypatch.setattr(cascade, "_cnn", Scripted(set()))
    cascade.detect_batch(frames)
    assert cascade._hog.seen == [0, 1, 2, 3, 4]
    assert cascade._cnn.seen == [0, 1, 2, 4]  # regions of the frames HOG missed, not 3's


def test_a_video_without_any_hog_face_asks_the_cnn_of_its_middle_frame(cascade, monkeypatch):
    frames = np.stack([np.full((120, 160, 3), i, np.uint8) for i in range(5)])
    monkeypatch.setattr(cascade, "_hog", Scripted(set()))
    monkeypatch.setattr(cascade, "_cnn", Scripted({2}))
    found = cascade.detect_batch(frames)
    assert cascade._cnn.seen == [2, 0, 1, 3, 4]  # the whole middle frame, then the regions
    assert [bool(faces) for faces in found] == [False, False, True, False, False]
