"""Z-buffer rasterisation of a triangle mesh already projected to pixels."""

from __future__ import annotations

import numpy as np


def rasterize_depth(pixels: np.ndarray, depth: np.ndarray, triangles: np.ndarray,
                    size: int) -> np.ndarray:
    """Nearest surface depth per pixel (NaN where no triangle covers the pixel centre).

    Args:
        pixels: projected vertices (V, 2), x and y in pixels (pixel centres at integers).
        depth: camera distance of each vertex (V,), positive in front of the camera.
        triangles: vertex indices (T, 3).
        size: side of the square image.
    """
    corners = pixels[triangles]  # T, 3, 2
    low = np.clip(np.ceil(corners.min(axis=1)), 0, size).astype(np.int64)
    high = np.clip(np.floor(corners.max(axis=1)), -1, size - 1).astype(np.int64)
    extent = np.maximum(high - low + 1, 0)  # T, 2 (width, height of each bounding box)
    count = extent[:, 0] * extent[:, 1]
    tri = np.repeat(np.arange(len(triangles)), count)
    local = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    px = low[tri, 0] + local % extent[tri, 0]
    py = low[tri, 1] + local // extent[tri, 0]

    a, b, c = corners[tri, 0], corners[tri, 1], corners[tri, 2]
    area = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    valid = np.abs(area) > 1e-9
    safe_area = np.where(valid, area, 1.0)
    wb = ((px - a[:, 0]) * (c[:, 1] - a[:, 1]) - (py - a[:, 1]) * (c[:, 0] - a[:, 0])) / safe_area
    wc = ((b[:, 0] - a[:, 0]) * (py - a[:, 1]) - (b[:, 1] - a[:, 1]) * (px - a[:, 0])) / safe_area
    wa = 1.0 - wb - wc
    inside = valid & (wa >= -1e-6) & (wb >= -1e-6) & (wc >= -1e-6)

    z = depth[triangles[tri[inside]]]  # perspective-correct: interpolate 1 / z
    weights = np.stack([wa[inside], wb[inside], wc[inside]], axis=1)
    surface = 1.0 / (weights / z).sum(axis=1)
    flat = py[inside] * size + px[inside]
    order = np.lexsort((surface, flat))
    first = np.unique(flat[order], return_index=True)[1]
    out = np.full(size * size, np.nan, dtype=np.float32)
    out[flat[order][first]] = surface[order][first]
    return out.reshape(size, size)
