"""The measurements of the GPU suite (gpu_suite.py), in priority order, at two sizes: the
GPU's and the smoke run's (CPU, tiny). Each one measures a stage beside its ceiling in the
same process and returns one record; the models have random weights, loaded through the real
loaders from the files they read (Depth Anything from the Hugging Face cache under its hub id,
S3FD and FAN from torch.hub's cache under face-alignment's file names)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import depth_throughput
import detect_throughput
import evaluate_throughput
import faces_throughput
import loader_throughput
import numpy as np
import torch
import train_throughput

from depthfake.bundles import Bundle, load_bundle
from depthfake.datasets.loader import FaceBatches
from depthfake.depth import create_depth_estimator
from depthfake.evaluation.depth_under_attack import DepthRecompute
from depthfake.faces import create_face_detector
from depthfake.jobs.devices import synchronise
from depthfake.models import DetectorConfig, create_detector, list_detectors
from depthfake.settings import DepthBackendOptions, FaceSettings, FrameSettings
from depthfake.synthetic.bundle import random_detector, write_random_bundle
from depthfake.synthetic.depth_model import save_random_depth_anything
from depthfake.synthetic.face_models import planted_faces, save_random_face_alignment
from depthfake.synthetic.hub_cache import cache_as_download
from depthfake.synthetic.videos import face_frames
from depthfake.training.inputs import DeviceInputs

from records import calls_per_second, frame_size

DEPTH_HUB_ID = "depth-anything/Depth-Anything-V2-Small-hf"
PAPER_INPUTS = [("legacy_xception", 299), ("efficientnet_b0", 224), ("mobilenetv2_100", 224),
                ("resnet50", 224)]


@dataclass(frozen=True)
class Sizes:
    """How much each measurement does."""

    depth_shape: str  # of the random Depth Anything: "small" (V2 Small) or "tiny"
    depth_input: int
    depth_batch: int
    crops: int
    crop_size: int
    backbones: list[tuple[str, int]]
    batch: int
    steps: int
    backbone: str  # of the loader, evaluation and precision measurements
    faces: int
    workers: list[int]
    frame_sizes: list[tuple[str, int, int]]  # (WIDTHxHEIGHT, frames, S3FD batch)
    video_seconds: float
    video_size: str
    detect_frames: int
    videos: int
    video_frames: int
    per_video: int
    ffpp_videos: int = 5000  # FF++ at c40: 1,000 real and 4,000 manipulated videos


GPU = Sizes(depth_shape="small", depth_input=252, depth_batch=128, crops=4096, crop_size=224,
            backbones=PAPER_INPUTS, batch=128, steps=10, backbone="efficientnet_b0",
            faces=4096, workers=[0, 8], frame_sizes=[("640x480", 96, 32), ("1280x720", 32, 8)],
            video_seconds=10.0, video_size="1280x720", detect_frames=32, videos=8,
            video_frames=64, per_video=32)
SMOKE = Sizes(depth_shape="tiny", depth_input=28, depth_batch=2, crops=4, crop_size=32,
              backbones=[("test_efficientnet", 32)], batch=4, steps=1,
              backbone="test_efficientnet", faces=32, workers=[0],
              frame_sizes=[("160x120", 4, 2)], video_seconds=0.4, video_size="160x120",
              detect_frames=4, videos=2, video_frames=8, per_video=4)


@dataclass(frozen=True)
class Measurement:
    part: str
    name: str  # unique in the suite: what a rerun skips by
    size: str  # what it measures, in words
    planned_s: float  # planned seconds on a GPU at the GPU sizes: a plan, not a measurement
    run: Callable[[], dict]


def result(rate: float, ceiling: float, unit: str, ceiling_is: str, **fields) -> dict:
    """A measurement's record fields: its rate beside its ceiling."""
    return {"rate": round(rate, 2), "ceiling": round(ceiling, 2), "unit": unit,
            "ceiling_is": ceiling_is, "ratio": round(rate / ceiling, 3), **fields}


class Suite:
    """The models, files and ceilings the measurements share, made on first use in `folder`."""

    def __init__(self, sizes: Sizes, device: torch.device, threads: int, folder: Path):
        self.sizes, self.device, self.threads, self.folder = sizes, device, threads, folder
        self.train_ceilings: dict[tuple, dict[str, float]] = {}

    @cached_property
    def depth_model(self) -> str:
        """The hub id of a random Depth Anything in the hub cache (HF_HUB_CACHE)."""
        import huggingface_hub.constants

        with tempfile.TemporaryDirectory() as saved:
            save_random_depth_anything(saved, self.sizes.depth_shape)
            cache_as_download(saved, huggingface_hub.constants.HF_HUB_CACHE, DEPTH_HUB_ID)
        return DEPTH_HUB_ID

    def depth_options(self, batch: int | None = None) -> dict:
        return {"model": self.depth_model, "input_size": self.sizes.depth_input,
                "batch_size": batch or self.sizes.depth_batch, "device": self.device.type}

    @cached_property
    def face_settings(self) -> FaceSettings:
        """face_alignment on the device, its random weights in torch.hub's cache."""
        from face_alignment.utils import get_dir

        save_random_face_alignment(Path(get_dir()) / "checkpoints")
        return FaceSettings(backend="face_alignment", crop_size=self.sizes.crop_size,
                            face_alignment={"device": self.device.type})

    @cached_property
    def loader_config(self) -> DetectorConfig:
        return DetectorConfig(detector="rgb", backbone=self.sizes.backbone,
                              input_size=self.sizes.crop_size)

    @cached_property
    def training_faces(self) -> tuple[FaceBatches, FaceBatches]:
        """Synthetic training and validation faces (crops and stored depth maps) on disk."""
        return loader_throughput.synthetic_batches(self.folder / "train", self.loader_config,
                                                   self.sizes.faces, self.sizes.batch)

    @cached_property
    def bare_step(self) -> float:
        """Images/s of the loader backbone's bare train step."""
        inputs = DeviceInputs(self.loader_config, self.device)
        return loader_throughput.bare_rate(self.loader_config, inputs, self.sizes.batch,
                                           2 * self.sizes.steps)

    @cached_property
    def detect_inputs(self) -> tuple[Path, Bundle]:
        """A generated video, and a random mdn bundle reading face_alignment and Depth Anything."""
        video = detect_throughput.write_video_file(self.folder / "video.mp4",
                                                   self.sizes.video_seconds, self.sizes.video_size)
        bundle = write_random_bundle(
            self.folder / "bundle", crop_size=self.sizes.crop_size, faces=self.face_settings,
            frames=FrameSettings(per_video=self.sizes.detect_frames),
            depth_backend="depth_anything",
            depth=DepthBackendOptions(depth_anything=self.depth_options(batch=64)))
        return video, load_bundle(bundle)

    # -- the measurements -----------------------------------------------------------------
    def depth(self) -> dict:
        s = self.sizes
        estimator = create_depth_estimator("depth_anything", **self.depth_options())
        bare = depth_throughput.bare_forward(estimator, s.crops)
        with tempfile.TemporaryDirectory(dir=self.folder) as work:
            rate = depth_throughput.stage(estimator, s.crops, s.crop_size, self.threads,
                                          Path(work))
        return result(rate, bare, "crops/s", "bare Depth Anything forward on device batches",
                      crops=s.crops, crop_size=s.crop_size, input_size=s.depth_input,
                      batch_size=s.depth_batch, precision=estimator.identity["precision"])

    def train(self, backbone: str, size: int, detector: str) -> dict:
        ceilings = self.train_ceilings.setdefault((backbone, size), {})
        row = train_throughput.detector_row(detector, backbone, size, self.sizes.batch,
                                            self.sizes.steps, self.device, ceilings)
        return result(row["detector_img_per_s"], row["bare_img_per_s"], "img/s", row["ceiling"],
                      backbone=backbone, input_size=size, detector=detector,
                      batch_size=self.sizes.batch, steps=self.sizes.steps)

    def loader(self, workers: int, what: str) -> dict:
        config, (train, val), bare = self.loader_config, self.training_faces, self.bare_step
        inputs, batch = DeviceInputs(config, self.device), self.sizes.batch
        if what == "loader":
            rate = loader_throughput.loader_rate(train, inputs, batch, workers)
        else:
            rate = loader_throughput.loop_rate(config, train, val, batch, workers,
                                               self.device.type)
        unit = "faces/s" if what == "loader" else "img/s"
        return result(rate, bare, unit, f"bare {config.backbone} train step", workers=workers,
                      backbone=config.backbone, input_size=config.input_size,
                      batch_size=batch, faces=self.sizes.faces)

    def face_networks(self, size: str, frames: int, batch: int) -> dict:
        """face_alignment's batched S3FD + FAN (one planted face a frame) beside the bare
        networks on device batches: 1 / (1 / S3FD frames/s + 1 / FAN faces/s)."""
        width, height = frame_size(size)
        options = self.face_settings.options_of("face_alignment")
        detector = create_face_detector("face_alignment", **{**options, "batch_size": batch})
        images = np.stack(face_frames(frames, height, width, seed=0,
                                      face_side=int(0.4 * height)))
        with planted_faces():
            detector.detect_batch(images[:batch])  # warm-up
            start = time.perf_counter()
            found = sum(len(faces) for faces in detector.detect_batch(images))
            rate = frames / (time.perf_counter() - start)
        with torch.inference_mode():
            frames_in = 255 * torch.rand(batch, 3, height, width, device=self.device)
            crops_in = torch.rand(batch, 3, 256, 256, device=self.device)
            s3fd = batch * calls_per_second(lambda: detector.sfd.face_detector(frames_in),
                                            self.device, max(1, frames // batch))
            fan = batch * calls_per_second(lambda: detector.fan(crops_in), self.device,
                                           max(1, frames // batch))
        ceiling = 1 / (1 / s3fd + 1 / fan)
        return result(rate, ceiling, "frames/s", "bare S3FD then FAN, one face a frame",
                      size=size, frames=frames, batch_size=batch, faces=found,
                      s3fd_frames_per_s=round(s3fd, 1), fan_faces_per_s=round(fan, 1))

    def evaluate(self, depth_input: str) -> dict:
        s = self.sizes
        detector = evaluate_throughput.INPUTS[depth_input]
        config = DetectorConfig(detector=detector, backbone=s.backbone, input_size=s.crop_size)
        model = create_detector(config).to(self.device).eval()
        inputs = DeviceInputs(config, self.device)
        bare = evaluate_throughput.bare_forward(model, config, self.device, s.faces, s.batch)
        recompute = DepthRecompute("depth_anything", self.depth_options(), FaceSettings())
        rate, lost = evaluate_throughput.stage(self.training_faces[0].index, model, config, inputs,
                                               depth_input, "NSE", s.batch, recompute)
        return result(rate, bare, "faces/s", f"bare {detector} forward on device batches",
                      model=detector, depth_input=depth_input, attack="NSE",
                      backbone=s.backbone, crop_size=s.crop_size, faces=s.faces,
                      depth_lost=lost)

    def detect(self, frames: int | None) -> dict:
        video, bundle = self.detect_inputs
        label = f"{frames} frames" if frames else "every frame"
        with planted_faces():
            row = detect_throughput.score_run(video, bundle, label, frames=frames,
                                              stride=None if frames else 1, device=self.device,
                                              out=self.folder / "detect")
        return result(row["frames_per_s"], row["frames"] / row["decode_only_s"], "frames/s",
                      "decoding the same frames alone", video=self.sizes.video_size,
                      video_seconds=self.sizes.video_seconds, **row)

    def precision(self) -> dict:
        """bf16 autocast against fp32: the detector's fake probabilities on the same faces."""
        s = self.sizes
        config = DetectorConfig(detector="mdn", backbone=s.backbone, input_size=s.crop_size)
        model = random_detector(config, seed=0).to(self.device).eval()
        rgb = torch.rand(s.faces, 3, s.crop_size, s.crop_size, device=self.device)
        depth = torch.rand(s.faces, 1, s.crop_size, s.crop_size, device=self.device)

        @torch.inference_mode()
        def probabilities(bf16: bool) -> torch.Tensor:
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16):
                return torch.cat([model(rgb[i:i + s.batch], depth[i:i + s.batch]).float()
                                  .softmax(1)[:, 1] for i in range(0, s.faces, s.batch)])

        fp32, bf16 = probabilities(False), probabilities(True)
        rates = {bf16_on: s.faces * calls_per_second(lambda b=bf16_on: probabilities(b),
                                                     self.device, 1)
                 for bf16_on in (False, True)}
        synchronise(self.device)
        difference = (bf16 - fp32).abs()
        return result(rates[True], rates[False], "faces/s", "the same forward in fp32",
                      model="mdn", backbone=s.backbone, crop_size=s.crop_size, faces=s.faces,
                      max_abs_prob_diff=round(float(difference.max()), 5),
                      mean_abs_prob_diff=round(float(difference.mean()), 6),
                      same_decision=round(float(((bf16 > 0.5) == (fp32 > 0.5)).float()
                                                .mean()), 5),
                      fp32_prob_spread=round(float(fp32.std()), 4))

    def end_to_end(self, size: str) -> dict:
        s = self.sizes
        with planted_faces(), tempfile.TemporaryDirectory(dir=self.folder) as work:
            row, = faces_throughput.size_rows(
                Path(work), size, {"face_alignment": self.face_settings}, videos=s.videos,
                frames=s.video_frames, per_video=s.per_video, crop_size=s.crop_size,
                depth="depth_anything",
                depth_options=DepthBackendOptions(depth_anything=self.depth_options(batch=64)),
                device=self.device.type, threads=self.threads, ffpp_videos=s.ffpp_videos)
        return result(row["frames_per_s"], row["ceiling_frames_per_s"], "frames/s",
                      "decoding every frame of the same files", **row,
                      videos=s.videos, frames_per_video=s.video_frames, per_video=s.per_video,
                      ffpp_node_hours=row["ffpp_hours"])


def plan(suite: Suite) -> list[Measurement]:
    """Every measurement, most important first."""
    s = suite.sizes
    steps = [Measurement("depth", "depth stage", f"{s.crops} crops of {s.crop_size} px -> "
                         f"{s.depth_input} px, batch {s.depth_batch}", 15, suite.depth)]
    for backbone, size in s.backbones:
        for detector in list_detectors():
            steps.append(Measurement(
                "train", f"train step {detector} {backbone} {size}",
                f"batch {s.batch}, {s.steps} steps", 3,
                lambda b=backbone, z=size, d=detector: suite.train(b, z, d)))
    for workers in s.workers:
        for what in ("loader", "training loop"):
            steps.append(Measurement(
                "loader", f"{what} {workers} workers",
                f"{s.faces} faces of {s.crop_size} px, {s.backbone}, batch {s.batch}", 10,
                lambda w=workers, x=what: suite.loader(w, x)))
    for size, frames, batch in s.frame_sizes:
        steps.append(Measurement("faces", f"S3FD + FAN {size}",
                                 f"{frames} frames, batch {batch}", 8,
                                 lambda z=size, f=frames, b=batch: suite.face_networks(z, f, b)))
    for depth_input in evaluate_throughput.INPUTS:
        steps.append(Measurement("evaluate", f"evaluation {depth_input}",
                                 f"{s.faces} faces of {s.crop_size} px under NSE", 8,
                                 lambda d=depth_input: suite.evaluate(d)))
    for frames in (s.detect_frames, None):
        steps.append(Measurement(
            "detect", f"detect {frames} frames" if frames else "detect every frame",
            f"{s.video_seconds:g} s {s.video_size} H.264", 15 if frames else 20,
            lambda f=frames: suite.detect(f)))
    steps.append(Measurement("precision", "bf16 against fp32",
                             f"{s.faces} faces, mdn on {s.backbone}", 5, suite.precision))
    for size in (size for size, _, _ in s.frame_sizes):
        steps.append(Measurement(
            "end_to_end", f"extract, crop, depth {size}",
            f"{s.videos} videos x {s.video_frames} frames, {s.per_video} sampled", 30,
            lambda z=size: suite.end_to_end(z)))
    return steps
