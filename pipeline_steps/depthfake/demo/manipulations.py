"""The two demo manipulations of a target frame: a classical face swap and a mouth reenactment.

Both move pixels with the same Delaunay piecewise-affine warp over the 68 dlib landmarks.
"""

from __future__ import annotations

import cv2
import numpy as np

from depthfake.demo.motion import smooth_curve
from depthfake.demo.warp import clip_points, piecewise_affine, triangulate

NOSE_BRIDGE, CHIN = 27, 8
INNER_UPPER_LIP, INNER_LOWER_LIP = [61, 62, 63], [65, 66, 67]
INNER_LIPS = slice(60, 68)
# How far each landmark follows the mouth opening (down the face; negative = up).
OPENING_WEIGHTS = {
    **{j: 0.8 * np.cos(np.pi / 2 * abs(j - CHIN) / 5.5) for j in range(3, 14)},  # jaw
    55: 0.5, 56: 0.85, 57: 0.9, 58: 0.85, 59: 0.5,  # outer lower lip
    65: 0.9, 66: 1.0, 67: 0.9,  # inner lower lip
    50: -0.1, 51: -0.12, 52: -0.1, 61: -0.15, 62: -0.18, 63: -0.15,  # upper lip
}
MOUTH_SHADE = 0.6  # how much the open mouth's inside darkens the (stretched) lips


def face_height(points: np.ndarray) -> float:
    """Nose bridge to chin, in pixels."""
    return float(np.linalg.norm(points[CHIN] - points[NOSE_BRIDGE]))


def hull_mask(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """uint8 mask (255 inside) of the convex hull of `points`."""
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(np.round(points).astype(np.int32)), 255)
    return mask


def transfer_colour(image: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Match `image`'s LAB mean and std inside `mask` to `reference`'s (RGB uint8)."""
    inside = mask > 0
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    ref = cv2.cvtColor(reference, cv2.COLOR_RGB2LAB).astype(np.float32)
    mean, std = lab[inside].mean(0), lab[inside].std(0) + 1e-3
    ref_mean, ref_std = ref[inside].mean(0), ref[inside].std(0)
    lab[inside] = (lab[inside] - mean) * (ref_std / std) + ref_mean
    return cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def face_swap(target: np.ndarray, target_points: np.ndarray, source: np.ndarray,
              source_points: np.ndarray) -> np.ndarray:
    """Put the source face onto the target frame: triangle warp to the target's landmarks,
    LAB colour transfer, then Poisson blending (`cv2.seamlessClone`) inside the hull."""
    size = (target.shape[1], target.shape[0])
    dst = clip_points(target_points, size)
    warped, covered = piecewise_affine(source, source_points, dst, triangulate(dst, size), size)
    mask = cv2.erode(hull_mask(dst, target.shape) & covered, np.ones((5, 5), np.uint8))
    mask[:2], mask[-2:], mask[:, :2], mask[:, -2:] = 0, 0, 0, 0  # seamlessClone needs a margin
    warped = transfer_colour(warped, target, mask)
    x, y, w, h = cv2.boundingRect(mask)
    return cv2.seamlessClone(warped, target, mask, (x + w // 2, y + h // 2), cv2.NORMAL_CLONE)


def lip_gap(points: np.ndarray) -> float:
    """Inner-lip gap as a fraction of the face height."""
    gap = points[INNER_LOWER_LIP].mean(0) - points[INNER_UPPER_LIP].mean(0)
    return float(np.linalg.norm(gap)) / face_height(points)


def mouth_opening(source_points: list[np.ndarray], rng: np.random.Generator,
                  fps: float) -> np.ndarray:
    """Per-frame mouth opening (fraction of face height) driven by a source: how far its own
    lips part beyond their closest, plus a smooth random curve so still sources drive it too."""
    gaps = np.array([lip_gap(points) for points in source_points])
    curve = 0.07 + smooth_curve(rng, len(gaps), fps, 0.04, max_hz=1.5)
    return np.clip(curve + gaps - gaps.min(), 0.02, 0.16)


def open_mouth(points: np.ndarray, opening: float) -> np.ndarray:
    """The landmarks with lower lip and jaw moved `opening` pixels down the face."""
    down = points[CHIN] - points[NOSE_BRIDGE]
    down = down / np.linalg.norm(down)
    moved = points.astype(np.float32).copy()
    for index, weight in OPENING_WEIGHTS.items():
        moved[index] += weight * opening * down
    return moved


def anchor_ring(points: np.ndarray, size: tuple[int, int], count: int = 16,
                margin: float = 1.5) -> np.ndarray:
    """Fixed points on an ellipse around the landmarks: the warp is the identity there."""
    low, high = points.min(0), points.max(0)
    centre, half = (low + high) / 2, (high - low) / 2 * margin
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    ring = centre + half * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return clip_points(ring, size)


def reenact_mouth(frame: np.ndarray, points: np.ndarray, opening: float) -> np.ndarray:
    """Open the mouth of `frame` by `opening` pixels: warp the face from its landmarks to the
    displaced ones (fixed ring around it), darken the new mouth opening, blend softly."""
    height, width = frame.shape[:2]
    size = (width, height)
    ring = anchor_ring(points, size)
    src = np.vstack([points, ring])
    dst = np.vstack([clip_points(open_mouth(points, opening), size), ring])
    warped, covered = piecewise_affine(frame, src, dst, triangulate(dst, size), size)
    inside = cv2.GaussianBlur(hull_mask(dst[INNER_LIPS], frame.shape), (5, 5), 0)[..., None] / 255
    warped = warped * (1 - MOUTH_SHADE * inside)
    alpha = cv2.GaussianBlur(cv2.erode(covered, np.ones((15, 15), np.uint8)), (15, 15), 0)
    alpha = alpha[..., None].astype(np.float32) / 255
    return np.clip(frame * (1 - alpha) + warped * alpha, 0, 255).astype(np.uint8)
