"""The FaceForensics++ crop: a square of 1.3 x max(w, h) around the largest face's centre."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from depthfake.faces.base import Face


@dataclass(frozen=True)
class FaceCrop:
    """A resized square face crop, its box in the frame, its landmarks in crop pixels, and the
    detected face's side (max of width and height, frame pixels)."""

    image: np.ndarray
    box: np.ndarray  # x0, y0, side (frame pixels)
    landmarks: np.ndarray  # (68, 2), crop pixels
    face_side: float


def largest_face(faces: list[Face]) -> Face | None:
    return max(faces, key=lambda f: f.area, default=None)


def square_box(box: np.ndarray, scale: float, frame_shape: tuple[int, ...]) -> np.ndarray:
    """FF++'s square: side `scale` x max(w, h) centred on the box, moved and shrunk to fit.

    Returns integer (x0, y0, side).
    """
    height, width = frame_shape[:2]
    x0, y0, x1, y1 = (float(v) for v in box)
    side = int(max(x1 - x0, y1 - y0) * scale)
    cx, cy = int((x0 + x1) // 2), int((y0 + y1) // 2)
    left = max(cx - side // 2, 0)
    top = max(cy - side // 2, 0)
    side = min(side, width - left, height - top)
    return np.array([left, top, side], dtype=np.int32)


def crop_face(frame: np.ndarray, face: Face, size: int, scale: float) -> FaceCrop:
    """Cut the FF++ square around `face` and resize it to `size` x `size`."""
    left, top, side = square_box(face.box, scale, frame.shape)
    patch = frame[top:top + side, left:left + side]
    interpolation = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    image = cv2.resize(patch, (size, size), interpolation=interpolation)
    scale_to_crop = np.float32(size / side)
    landmarks = (face.landmarks - np.array([left, top], np.float32)) * scale_to_crop
    x0, y0, x1, y1 = face.box
    return FaceCrop(image=image, box=np.array([left, top, side], np.int32), landmarks=landmarks,
                    face_side=float(max(x1 - x0, y1 - y0)))
