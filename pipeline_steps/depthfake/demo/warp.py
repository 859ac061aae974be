"""Delaunay triangulation of landmarks and the piecewise-affine warp both manipulations use."""

from __future__ import annotations

import cv2
import numpy as np

SUBPIXEL_BITS = 4


def clip_points(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Points (k, 2) moved inside a frame of `size` (width, height)."""
    return np.clip(points, 0, [size[0] - 1, size[1] - 1]).astype(np.float32)


def triangulate(points: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Delaunay triangles of `points` (inside a frame of `size`) as (t, 3) point indices."""
    points = clip_points(points, size)
    subdiv = cv2.Subdiv2D((0, 0, size[0], size[1]))
    subdiv.insert([(float(x), float(y)) for x, y in points])
    corners = subdiv.getTriangleList().reshape(-1, 3, 2)
    distance = np.linalg.norm(corners[:, :, None, :] - points[None, None], axis=-1)
    indices = distance.argmin(axis=-1)
    real = (distance.min(axis=-1) < 0.5).all(axis=1)  # drop Subdiv2D's outer virtual vertices
    distinct = (indices[:, 0] != indices[:, 1]) & (indices[:, 1] != indices[:, 2]) & (
        indices[:, 0] != indices[:, 2])
    return indices[real & distinct]


def triangle_affines(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The (t, 2, 3) affine maps taking each triangle of `src` (t, 3, 2) onto `dst`."""
    homogeneous = np.concatenate([src, np.ones((*src.shape[:2], 1))], axis=2)
    return (np.linalg.pinv(homogeneous) @ dst).transpose(0, 2, 1)


def piecewise_affine(image: np.ndarray, src_points: np.ndarray, dst_points: np.ndarray,
                     triangles: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Warp `image` so every triangle of `src_points` lands on its twin in `dst_points`.

    Returns the warped image in a frame of `size` (width, height) and the uint8 mask (255)
    of the pixels the destination triangles cover; the rest of the image is meaningless.
    One dense map and one `cv2.remap`, however many triangles.
    """
    width, height = size
    labels = np.full((height, width), -1, np.int32)
    corners = np.round(dst_points[triangles] * (1 << SUBPIXEL_BITS)).astype(np.int32)
    for index, corner in enumerate(corners):
        cv2.fillConvexPoly(labels, corner, index, shift=SUBPIXEL_BITS)
    ys, xs = np.nonzero(labels >= 0)
    back = triangle_affines(dst_points[triangles].astype(np.float64),
                            src_points[triangles].astype(np.float64))[labels[ys, xs]]
    map_x = np.full((height, width), -1.0, np.float32)
    map_y = np.full((height, width), -1.0, np.float32)
    map_x[ys, xs] = back[:, 0, 0] * xs + back[:, 0, 1] * ys + back[:, 0, 2]
    map_y[ys, xs] = back[:, 1, 0] * xs + back[:, 1, 1] * ys + back[:, 1, 2]
    warped = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return warped, (labels >= 0).astype(np.uint8) * 255
