"""The generic 3D face shipped in assets/face3d (MediaPipe canonical mesh, 68-point subset)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np

FACE3D = files("depthfake") / "assets" / "face3d"
# Model frame: +y up, +z toward the viewer; OpenCV's camera frame: +y down, +z away.
MODEL_TO_OPENCV = np.array([1.0, -1.0, -1.0])


@dataclass(frozen=True)
class GenericFace:
    """Canonical mesh vertices (V, 3) and triangles (T, 3), and the 68 landmark points (68, 3),
    all in centimetres and OpenCV's camera axes."""

    vertices: np.ndarray
    triangles: np.ndarray
    landmarks68: np.ndarray


@cache
def load_generic_face() -> GenericFace:
    vertices, triangles = [], []
    for line in (FACE3D / "canonical_face_model.obj").read_text().splitlines():
        tag, *fields = line.split()
        if tag == "v":
            vertices.append([float(v) for v in fields[:3]])
        elif tag == "f":
            triangles.append([int(f.split("/")[0]) - 1 for f in fields])
    landmarks = np.loadtxt(FACE3D / "mean_face_68.csv", delimiter=",", skiprows=1)[:, 1:]
    return GenericFace(
        vertices=np.asarray(vertices) * MODEL_TO_OPENCV,
        triangles=np.asarray(triangles, dtype=np.int64),
        landmarks68=landmarks * MODEL_TO_OPENCV,
    )
