"""Depth from 68 landmarks: fit the generic 3D face's pose, rasterise its mesh."""

from __future__ import annotations

import cv2
import numpy as np

from depthfake.depth.convention import FARTHEST_FACE
from depthfake.depth.mesh import load_generic_face
from depthfake.depth.raster import rasterize_depth


def fit_pose(landmarks: np.ndarray, size: int, focal_scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotation matrix and translation of the generic face that project onto `landmarks`."""
    face = load_generic_face()
    camera = camera_matrix(size, focal_scale)
    ok, rvec, tvec = cv2.solvePnP(face.landmarks68, landmarks.astype(np.float64), camera, None,
                                  flags=cv2.SOLVEPNP_ITERATIVE)
    if not ok or tvec[2, 0] <= 0:
        raise ValueError("pose fit failed")
    return cv2.Rodrigues(rvec)[0], tvec[:, 0]


def normalise_relative(z: np.ndarray) -> np.ndarray:
    """Camera distances (NaN = background) to relative depth, 1 = nearest: the face in
    [FARTHEST_FACE, 1], so that the background, read as 0, stays apart from it."""
    near, far = np.nanmin(z), np.nanmax(z)
    nearness = (far - z) / max(far - near, 1e-6)
    return (FARTHEST_FACE + (1 - FARTHEST_FACE) * nearness).astype(np.float32)


def camera_matrix(size: int, focal_scale: float) -> np.ndarray:
    focal = focal_scale * size
    return np.array([[focal, 0, (size - 1) / 2], [0, focal, (size - 1) / 2], [0, 0, 1]])


class LandmarkMeshDepth:
    """The canonical face mesh posed by `cv2.solvePnP` on the 68 landmarks, z-buffered.

    `focal_scale` is the assumed focal length in units of the crop side.
    """

    batch_size = 256
    needs_landmarks = True
    marks_background = True

    def __init__(self, focal_scale: float):
        self.focal_scale = focal_scale
        self.identity = {"model": "MediaPipe canonical face mesh, posed on 68 landmarks",
                         "focal_scale": focal_scale}

    def estimate(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        size = crops.shape[1]
        maps = [self.estimate_one(points, size) for points in landmarks]
        return np.stack(maps) if maps else np.zeros((0, size, size), np.float32)

    def estimate_one(self, landmarks: np.ndarray, size: int) -> np.ndarray:
        """Relative depth of one crop (NaN background; all NaN if the pose cannot be fitted)."""
        face = load_generic_face()
        try:
            rotation, translation = fit_pose(landmarks, size, self.focal_scale)
        except (ValueError, cv2.error):
            return np.full((size, size), np.nan, np.float32)
        camera_points = face.vertices @ rotation.T + translation
        projected = camera_points @ camera_matrix(size, self.focal_scale).T
        pixels = projected[:, :2] / projected[:, 2:]
        z = rasterize_depth(pixels, camera_points[:, 2], face.triangles, size)
        return normalise_relative(z) if np.isfinite(z).any() else z
