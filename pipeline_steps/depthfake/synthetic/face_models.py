"""face-alignment's S3FD and 2D-FAN-4 with random weights, saved under the file names its
download writes into torch.hub's cache, so the real loading path runs offline; and a planted
face, for throughput measurements with those networks.

A random S3FD scores faces everywhere: face-alignment's post-processing then loops in Python
over every cell above 0.05 and FAN runs on thousands of boxes, which measures nothing a real
detector does. `planted_faces` lets the network run in full and then replaces its class scores
and box offsets by one confident face per frame, as a trained detector on a frame with one face
answers, so post-processing and FAN see what they see in practice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

PLANTED_STRIDE = 32  # the S3FD level whose prior (4 x 32 = 128 px) the planted face is read from
SFD_STRIDES = (4, 8, 16, 32, 64, 128)


def checkpoint_names() -> dict[str, str]:
    """The file names face-alignment downloads S3FD and 2D-FAN-4 to, by our config key."""
    from face_alignment.api import models_urls
    from face_alignment.detection.sfd.sfd_detector import models_urls as sfd_urls

    return {"detector_model": sfd_urls["s3fd"].rsplit("/", 1)[-1],
            "landmark_model": models_urls["2DFAN-4"].rsplit("/", 1)[-1]}


def save_random_face_alignment(checkpoints: str | Path, seed: int = 0) -> dict[str, Path]:
    """Random-weight S3FD and 2D-FAN-4 state dicts in `checkpoints` (torch.hub's
    `<TORCH_HOME>/hub/checkpoints`), under face-alignment's names; their paths by config key."""
    from face_alignment.detection.sfd.net_s3fd import s3fd
    from face_alignment.models import FAN

    folder = Path(checkpoints)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    paths = {key: folder / name for key, name in checkpoint_names().items()}
    torch.save(s3fd().state_dict(), paths["detector_model"])
    torch.save(FAN(4).state_dict(), paths["landmark_model"])
    return paths


def planted_box(height: int, width: int, side_fraction: float) -> np.ndarray:
    """The planted face's box (x0, y0, x1, y1): centred, its side `side_fraction` of the
    frame's height (FF++'s faces are about 0.4)."""
    side = side_fraction * height
    x0, y0 = (width - side) / 2, (height - side) / 2
    return np.array([x0, y0, x0 + side, y0 + side], np.float32)


def planted_outputs(outputs: list[torch.Tensor], height: int, width: int,
                    side_fraction: float) -> list[torch.Tensor]:
    """S3FD's 12 outputs (class logits and box offsets per stride) saying: background
    everywhere but one cell, whose face covers `planted_box`."""
    from face_alignment.detection.sfd.bbox import encode

    box = planted_box(height, width, side_fraction)
    planted = []
    for stride, logits, offsets in zip(SFD_STRIDES, outputs[0::2], outputs[1::2], strict=True):
        logits = torch.stack([torch.full_like(logits[:, 0], 10.0),
                              torch.full_like(logits[:, 1], -10.0)], dim=1)
        offsets = offsets.clone()
        if stride == PLANTED_STRIDE:
            centre = (box[:2] + box[2:]) / 2
            col, row = (centre // stride).astype(int)
            prior = np.array([[stride / 2 + col * stride, stride / 2 + row * stride,
                               4 * stride, 4 * stride]])
            logits[:, :, row, col] = torch.tensor([-10.0, 10.0])
            offsets[:, :, row, col] = torch.from_numpy(
                encode(box[None].astype(np.float64), prior, [0.1, 0.2])[0]).to(offsets)
        planted += [logits, offsets]
    return planted


@contextlib.contextmanager
def planted_faces(side_fraction: float = 0.4) -> Iterator[None]:
    """While open, every S3FD network finds one face per frame (`planted_box`) after running
    its own forward pass in full."""
    from face_alignment.detection.sfd.net_s3fd import s3fd

    def plant(module: torch.nn.Module, inputs: tuple, outputs: list) -> list | None:
        if not isinstance(module, s3fd):
            return None
        height, width = inputs[0].shape[-2:]
        return planted_outputs(list(outputs), height, width, side_fraction)

    hook = torch.nn.modules.module.register_module_forward_hook(plant)
    try:
        yield
    finally:
        hook.remove()
