"""The depth estimator interface and its registry of backends.

Every backend returns relative depth in [0, 1] per crop, 1 = nearest to the camera, with
background pixels set to NaN where the backend knows them, its face then in [FARTHEST_FACE, 1]
(a neural backend marks none and spans [0, 1]): the `CONVENTION` of depthfake.depth.convention.
Light to import (numpy only for type hints), like the convention.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from depthfake.depth.convention import CONVENTION
from depthfake.plan.catalogue import DEPTH_BACKENDS

if TYPE_CHECKING:
    import numpy as np

__all__ = ["CONVENTION", "DepthEstimator", "create_depth_estimator", "list_depth_backends"]


class DepthEstimator(Protocol):
    """Maps crops (N, S, S, 3) uint8 and their landmarks (N, 68, 2) to depth (N, S, S), float16
    or float32, in the `CONVENTION`, for any N (in memory: the robustness stage re-estimates
    attacked crops with it).

    `batch_size` is how many crops a caller streaming from disk should hand over at a time;
    `identity` names the backend's model and settings (stored beside the maps);
    `needs_landmarks` says whether `estimate` reads the landmarks; `marks_background` whether
    its maps hold NaN where there is no face.
    """

    batch_size: int
    identity: dict
    needs_landmarks: bool
    marks_background: bool

    def estimate(self, crops: np.ndarray, landmarks: np.ndarray) -> np.ndarray: ...


list_depth_backends = DEPTH_BACKENDS.names


def create_depth_estimator(name: str, **options) -> DepthEstimator:
    """Build the depth backend `name` with its options."""
    return DEPTH_BACKENDS.create(name, **options)
