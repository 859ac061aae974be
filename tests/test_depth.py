"""Landmark-fitted depth: the z-buffer rasteriser and the depth of a real face crop; the
convention the workflow reads without numpy."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from depthfake.depth import create_depth_estimator, list_depth_backends
from depthfake.depth.convention import FARTHEST_FACE
from depthfake.depth.mesh import load_generic_face
from depthfake.depth.raster import rasterize_depth
from depthfake.faces import crop_face, largest_face

from conftest import REPO


def test_rasteriser_keeps_the_nearest_surface():
    pixels = np.array([[0, 0], [9, 0], [0, 9], [0, 0], [9, 0], [0, 9]], float)
    depth = np.array([5, 5, 5, 2, 2, 2], float)  # the second triangle is nearer
    out = rasterize_depth(pixels, depth, np.array([[0, 1, 2], [3, 4, 5]]), size=12)
    covered = np.isfinite(out)
    assert covered[1, 1] and not covered[11, 11] and not covered[9, 9]
    assert np.allclose(out[covered], 2.0)
    # 10 x 10 right triangle with the diagonal included: 55 pixel centres
    assert covered.sum() == 55


def test_rasteriser_interpolates_depth_perspective_correctly():
    pixels = np.array([[0, 0], [20, 0], [0, 20], [20, 20]], float)
    depth = np.array([1.0, 3.0, 1.0, 3.0])
    out = rasterize_depth(pixels, depth, np.array([[0, 1, 2], [1, 3, 2]]), size=21)
    # 1/z is linear in the image: halfway between 1 and 3 gives 1 / ((1 + 1/3) / 2) = 1.5
    assert out[10, 10] == pytest.approx(1.5, rel=1e-6)
    assert out[5, 0] == pytest.approx(1.0) and out[5, 20] == pytest.approx(3.0)


def test_generic_face_is_loaded_in_camera_axes():
    face = load_generic_face()
    assert face.vertices.shape == (468, 3) and face.triangles.shape == (898, 3)
    # OpenCV axes: the nose tip (68-point index 30) is the nearest point, smallest z
    assert face.landmarks68[:, 2].argmin() == 30
    assert face.landmarks68[8, 1] > face.landmarks68[19, 1]  # chin below brow: +y down


def test_depth_of_a_face_crop(astronaut, face_detector):
    crop = crop_face(astronaut, largest_face(face_detector.detect(astronaut)), size=96, scale=1.3)
    depth = create_depth_estimator("landmark_mesh", focal_scale=1.0).estimate(crop.image[None],
                                                             crop.landmarks[None])[0]
    assert depth.shape == (96, 96) and depth.dtype == np.float32
    face = np.isfinite(depth)
    assert 0.3 < face.mean() < 0.8  # the face is covered, the background is marked NaN
    assert np.isnan(depth[0, 0]) and np.isnan(depth[95, 95])
    # the farthest face point stays apart from the background, which is read as 0
    assert np.nanmin(depth) == pytest.approx(FARTHEST_FACE) and np.nanmax(depth) == 1.0
    nose = crop.landmarks[30].round().astype(int)
    cheek = ((crop.landmarks[2] + crop.landmarks[31]) / 2).round().astype(int)
    assert depth[nose[1], nose[0]] > 0.85  # the nose is (near) the nearest point
    assert depth[nose[1], nose[0]] > depth[cheek[1], cheek[0]] + 0.2


def test_unknown_depth_backend_is_named():
    assert "landmark_mesh" in list_depth_backends()
    with pytest.raises(ValueError, match="unknown depth backend 'midas'"):
        create_depth_estimator("midas")


def test_the_workflow_reads_the_maps_version_without_numpy():
    code = ("import sys; from depthfake.depth.convention import MAPS_VERSION; "
            "print(sorted({'numpy', 'pandas', 'h5py', 'torch', 'cv2'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=REPO / "pipeline_steps")
    assert result.stdout.strip() == "[]"
