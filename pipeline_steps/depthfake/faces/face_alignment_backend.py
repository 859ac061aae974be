"""face-alignment's S3FD detector and 2D-FAN-4 landmarks, batched for the GPU.

face-alignment's own `FaceAlignment` runs FAN twice (flip_input), compiles it and feeds it one
face at a time; here its networks are called directly: one S3FD pass per `batch_size` frames,
then FAN on all their faces, `batch_size` faces a pass, decoded by face-alignment's utilities.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from depthfake.faces.base import Face

SETTING = "faces.face_alignment"


def resolve_weights(files: dict[str, tuple[str | os.PathLike | None, str]]) -> dict[str, Path]:
    """For each config key of `files` (key: (local path or None, url)), the local path, else
    face-alignment's cached or downloaded copy; one FileNotFoundError names every file missing."""
    from face_alignment.utils import get_dir, load_file_from_url

    found, missing, reasons = {}, [], []
    for key, (path, url) in files.items():
        name = url.rsplit("/", 1)[-1]
        if path:
            if Path(path).is_file():
                found[key] = Path(path)
            else:
                missing.append(f"{SETTING}.{key} = {path}: no such file (it is {name}, from {url})")
            continue
        try:
            found[key] = Path(load_file_from_url(url))
        except OSError as error:
            missing.append(f"{name}, from {url} (or set {SETTING}.{key} to a local copy)")
            reasons.append(str(error))
    if missing:
        why = f" and the download failed ({reasons[0]})" if reasons else ""
        raise FileNotFoundError(
            f"face_alignment weights not found{why}:\n  " + "\n  ".join(missing)
            + f"\nPut the files in {Path(get_dir()) / 'checkpoints'} (torch.hub's cache, under"
            " $TORCH_HOME), or set the keys in config.yaml to local paths."
        )
    return found


class FaceAlignmentDetector:
    """S3FD boxes scoring above `threshold` and FAN's 68 landmarks, on `device`."""

    def __init__(
        self,
        device: str = "auto",
        batch_size: int = 16,
        detector_model: str | os.PathLike | None = None,
        landmark_model: str | os.PathLike | None = None,
        threshold: float = 0.5,
    ):
        import torch
        from face_alignment import utils
        from face_alignment.api import NetworkSize, models_urls
        from face_alignment.detection.sfd.sfd_detector import SFDDetector
        from face_alignment.detection.sfd.sfd_detector import models_urls as sfd_urls
        from face_alignment.models import FAN

        from depthfake.jobs.devices import resolve_device

        self.device = resolve_device(device, f"{SETTING}.device")
        self.batch_size = batch_size
        paths = resolve_weights({
            "detector_model": (detector_model, sfd_urls["s3fd"]),
            "landmark_model": (landmark_model, models_urls["2DFAN-4"]),
        })
        self.model_files = paths
        self.sfd = SFDDetector(str(self.device), path_to_detector=str(paths["detector_model"]),
                               filter_threshold=threshold)
        self.fan = FAN(int(NetworkSize.LARGE))
        self.fan.load_state_dict(torch.load(paths["landmark_model"], map_location=self.device,
                                            weights_only=True))
        self.fan.to(self.device).eval()
        # face-alignment's heatmap decoder is numba-jitted without a cache: ~10 s to compile in
        # every process; cache it (in face_alignment's __pycache__, or $NUMBA_CACHE_DIR)
        utils._get_preds_fromhm.enable_caching()

    def detect(self, frame: np.ndarray) -> list[Face]:
        return self.detect_batch(frame[None])[0]

    def detect_batch(self, frames: np.ndarray) -> list[list[Face]]:
        faces = []
        for start in range(0, len(frames), self.batch_size):
            chunk = np.ascontiguousarray(frames[start:start + self.batch_size], dtype=np.uint8)
            faces += self._landmarks(chunk, self._boxes(chunk))
        return faces

    def _boxes(self, frames: np.ndarray) -> list[list[np.ndarray]]:
        """Each frame's boxes (x0, y0, x1, y1), from one S3FD pass (it takes RGB 0..255)."""
        import torch

        batch = torch.from_numpy(frames).to(self.device).permute(0, 3, 1, 2)
        return [[box[:4] for box in boxes] for boxes in self.sfd.detect_from_batch(batch)]

    def _landmarks(self, frames: np.ndarray, boxes: list[list[np.ndarray]]) -> list[list[Face]]:
        """FAN on face-alignment's 256 px crop of every box, decoded to frame pixels."""
        from face_alignment.utils import CENTER_Y_OFFSET, crop, get_preds_fromhm

        crops, centres, scales = [], [], []
        for frame, frame_boxes in zip(frames, boxes, strict=True):
            for x0, y0, x1, y1 in frame_boxes:
                centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2 - (y1 - y0) * CENTER_Y_OFFSET])
                scale = float(x1 - x0 + y1 - y0) / self.sfd.reference_scale
                crops.append(crop(frame, centre, scale))
                centres.append(centre)
                scales.append(scale)
        if not crops:
            return [[] for _ in boxes]
        heatmaps = np.concatenate([self._heatmaps(crops[start:start + self.batch_size])
                                   for start in range(0, len(crops), self.batch_size)])
        landmarks = iter(get_preds_fromhm(heatmap[None], centre, scale)[1][0]
                         for heatmap, centre, scale in zip(heatmaps, centres, scales, strict=True))
        return [[Face(box=np.asarray(box, np.float32), landmarks=next(landmarks).astype(np.float32))
                 for box in frame_boxes] for frame_boxes in boxes]

    def _heatmaps(self, crops: list[np.ndarray]) -> np.ndarray:
        """FAN's heatmaps (N, 68, 64, 64) of RGB uint8 crops (256 px), in one pass, no flip."""
        import torch

        batch = torch.from_numpy(np.stack(crops)).to(self.device).permute(0, 3, 1, 2)
        with torch.inference_mode():
            return self.fan(batch.float() / 255)[-1].float().cpu().numpy()
