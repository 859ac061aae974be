"""The map the depth stage stores for a clean crop and the map the attack path (`recompute`,
DepthRecompute) makes of the same uint8 crop agree, for every backend.

They agree within TOLERANCE = 1e-3 of the [0, 1] range, two float16 steps near 1: the stage
stores float16, which rounds a value in [0.5, 1] by up to 2.4e-4 (half its step of 4.9e-4),
while the attack path keeps the estimator's own map (float32 from the mesh). The landmark
backend is given the stage's landmarks here; re-fitted on the crop by a face detector
they differ, and its maps with them (by a few hundredths of the range on average).
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
from test_depth_neural import faces_file

from depthfake.depth.estimate_shard import estimate_depth
from depthfake.evaluation import depth_under_attack
from depthfake.evaluation.depth_under_attack import DepthRecompute
from depthfake.faces import Face, crop_face, largest_face
from depthfake.settings import DepthBackendOptions, FaceSettings
from depthfake.synthetic.depth_model import save_random_depth_anything

TOLERANCE = 1e-3
SIDE = 64  # below REFIT_MIN_SIDE: the re-fit's enlargement is exercised too
SCALES = (1.3, 1.6)


@pytest.fixture(scope="module")
def astronaut_crops(astronaut, face_detector) -> tuple[np.ndarray, np.ndarray]:
    """Two crops of the astronaut's face (uint8) and their landmarks, fitted on the frame."""
    face = largest_face(face_detector.detect(astronaut))
    crops = [crop_face(astronaut, face, SIDE, scale) for scale in SCALES]
    return (np.stack([crop.image for crop in crops]),
            np.stack([crop.landmarks for crop in crops]).astype(np.float32))


class GivenLandmarks:
    """A face detector that finds, in the n-th crop it is shown, the n-th of `landmarks`
    (crop pixels), scaled to the size it is shown at."""

    def __init__(self, landmarks: np.ndarray):
        self.landmarks = iter(landmarks)

    def detect(self, frame: np.ndarray) -> list[Face]:
        side = frame.shape[0]
        return [Face(np.array([0, 0, side, side], np.float32),
                     next(self.landmarks) * side / SIDE)]


def backend_options(backend: str, folder: Path) -> DepthBackendOptions:
    if backend == "landmark_mesh":
        return DepthBackendOptions()
    model = save_random_depth_anything(folder / "tiny", "tiny")
    return DepthBackendOptions(depth_anything=dict(model=str(model), input_size=28,
                                                   batch_size=2, device="cpu"))


@pytest.mark.parametrize("backend", ["landmark_mesh", "depth_anything"])
def test_the_stored_map_of_a_clean_crop_is_the_map_recompute_makes_of_it(
        backend, astronaut_crops, tmp_path, monkeypatch):
    crops, landmarks = astronaut_crops
    options = backend_options(backend, tmp_path)
    faces, out = faces_file(tmp_path / "faces.h5", crops, landmarks), tmp_path / "depth.h5"
    estimate_depth(faces, backend, options, out)
    with h5py.File(out) as stored:
        assert stored["depth"].dtype == np.float16
        stage = np.nan_to_num(stored["depth"][:].astype(np.float32), nan=0.0)  # as read
    monkeypatch.setattr(depth_under_attack, "create_face_detector",
                        lambda *a, **k: GivenLandmarks(landmarks))
    recompute = DepthRecompute(backend, options.options_of(backend), FaceSettings())
    recomputed, lost = recompute(crops)
    assert not lost.any() and (stage > 0).mean() > 0.3
    assert np.abs(recomputed - stage).max() <= TOLERANCE
