"""Generated face videos: a face size independent of the frame size, and two identities."""

from __future__ import annotations

import numpy as np
import pytest

from depthfake.datasets.video import read_sampled_frames
from depthfake.faces import create_face_detector, largest_face
from depthfake.synthetic.videos import IDENTITIES, face_frames, write_face_tree


@pytest.fixture(scope="module")
def detector():
    return create_face_detector("dlib", upsample=1, landmark_model=None)


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("side", [45, 120])
def test_the_face_has_the_asked_size_in_any_frame(detector, identity, side):
    frame = face_frames(2, 480, 640, seed=3, face_side=side, identity=identity)[1]
    assert frame.shape == (480, 640, 3)
    face = largest_face(detector.detect(frame))
    width = face.box[2] - face.box[0]
    assert abs(width - side) <= 0.25 * side, (identity, side, width)


def test_a_face_too_large_for_the_frame_is_refused():
    with pytest.raises(ValueError, match="a 130 px face does not fit a 320x240 frame"):
        face_frames(1, 240, 320, seed=0, face_side=130)


def test_a_tree_alternates_identities(tmp_path):
    write_face_tree(tmp_path, videos=2, frames=2, height=120, width=160, crf=0,
                    compression="raw", face_side=30, identities=2)
    decoded = [read_sampled_frames(tmp_path / f"original_sequences/youtube/raw/videos/"
                                   f"{vid}.mp4", 1)[1][0].astype(int) for vid in ("000", "001")]
    for number, frame in enumerate(decoded):  # video i drawn with seed i
        distance = {identity: np.abs(
            frame - face_frames(1, 120, 160, number, 30, identity=identity)[0]).mean()
            for identity in IDENTITIES}
        assert min(distance, key=distance.get) == IDENTITIES[number], distance
    with pytest.raises(ValueError, match="identities must be 1 to 2"):
        write_face_tree(tmp_path, videos=1, frames=1, identities=3)
