"""Per-video preprocessing: sample frames, crop the face, estimate depth, with given settings.

The step scripts run these over shards of a data set; `preprocess_video` runs the same
functions on a single video, given the settings (the ones a model was trained with are in its
checkpoint JSON, under `preprocessing`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from depthfake.datasets.video import read_sampled_frames
from depthfake.depth import DepthEstimator, create_depth_estimator
from depthfake.faces import FaceCrop, create_face_detector, crop_face, largest_face
from depthfake.faces.downscaled import DownscaledDetector
from depthfake.settings import DepthBackendOptions, FaceSettings, FrameSettings


class FaceCropper:
    """The largest face of a frame, cut as FF++'s square crop, as `settings` say; with
    `max_side`, larger frames are downscaled to it for detection (the crop is still cut from
    the full frame)."""

    def __init__(self, settings: FaceSettings, max_side: int | None = None):
        self.settings = settings
        self.detector = create_face_detector(settings.backend,
                                             **settings.options_of(settings.backend))
        if max_side is not None:
            self.detector = DownscaledDetector(self.detector, max_side)

    def crop_batch(self, frames: np.ndarray) -> list[FaceCrop | None]:
        """The crop of each of a stack of same-sized frames (None where no face is found)."""
        size, scale = self.settings.crop_size, self.settings.scale
        return [None if (face := largest_face(faces)) is None else
                crop_face(frame, face, size, scale)
                for frame, faces in zip(frames, self.detector.detect_batch(frames), strict=True)]


def depth_estimator(backend: str, options: DepthBackendOptions) -> DepthEstimator:
    """The depth backend `backend` with its options from `options`."""
    return create_depth_estimator(backend, **options.options_of(backend))


@dataclass(frozen=True)
class VideoFaces:
    """One video's sampled frames: index, face crop (None without a face) and depth map."""

    frames: list[int]
    crops: list[FaceCrop | None]
    depth: list[np.ndarray | None]


def preprocess_video(path: str | os.PathLike, frames: FrameSettings, cropper: FaceCropper,
                     estimator: DepthEstimator | None = None,
                     timer: Callable[[str], ContextManager] = lambda phase: nullcontext()
                     ) -> VideoFaces:
    """Sample, crop and (with an estimator) estimate depth for one video; `timer(phase)`
    wraps each phase (decode, faces, depth)."""
    with timer("decode"):
        indices, images = read_sampled_frames(path, frames.per_video, frames.stride)
    with timer("faces"):
        crops = cropper.crop_batch(np.stack(images))
    del images
    found = [c for c in crops if c is not None]
    maps: list[np.ndarray | None] = [None] * len(crops)
    if estimator is not None and found:
        with timer("depth"):
            found_maps = iter(estimator.estimate(np.stack([c.image for c in found]),
                                                 np.stack([c.landmarks for c in found])))
            maps = [None if c is None else next(found_maps) for c in crops]
    return VideoFaces(frames=indices, crops=crops, depth=maps)
