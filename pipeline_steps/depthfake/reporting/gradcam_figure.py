"""The Grad-CAM figure: trained detectors' maps side by side on the same test faces, with
the data it draws; the step `gradcam` writes it."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from pytorch_grad_cam.utils.image import show_cam_on_image

from depthfake.datasets.loader import FaceBatch, FaceBatches, load_face_index
from depthfake.models import DetectorConfig, load_detector
from depthfake.reporting.gradcam import StreamMap, grad_cams
from depthfake.reporting.plots import panel_grid, plt, save_figure
from depthfake.reporting.samples import balanced_faces
from depthfake.training.inputs import DeviceInputs

log = logging.getLogger(__name__)
CPU = torch.device("cpu")


def detector_maps(model: torch.nn.Module, config: DetectorConfig, faces: FaceBatch
                  ) -> tuple[str, np.ndarray, list[StreamMap]]:
    """(name, fake probabilities, stream maps) of one detector on `faces`."""
    rgb, depth, _ = DeviceInputs(config, CPU)(faces)
    with torch.no_grad():
        probs = model(rgb, depth).softmax(dim=1)[:, 1].numpy()
    return config.detector, probs, grad_cams(model, rgb, depth)


def gradcam_figure(*, index_files: list[Path], faces_files: list[Path],
                   depth_files: list[Path] | None, weights: list[Path], metas: list[Path],
                   faces_shown: int, out: Path, out_data: Path) -> pd.DataFrame:
    """Draw the figure of the detectors (`weights` and their `metas`, in order) on
    `faces_shown` test faces of the shards (aligned frame indices, crops and depth files) and
    write its data; returns the data."""
    index = load_face_index(index_files, faces_files, depth_files)
    shown = balanced_faces(index[index["split"] == "test"], faces_shown).reset_index(drop=True)
    if shown.empty:
        raise ValueError("no test faces to explain: every test video was skipped or faceless")
    models = [load_detector(w, m) for w, m in zip(weights, metas, strict=True)]
    sizes = {config.input_size for _, config in models}
    if len(sizes) > 1:
        raise ValueError(f"the detectors take different input sizes {sorted(sizes)}")
    batch = FaceBatches(shown, sizes.pop(), any(config.reads_depth for _, config in models))
    crops = batch[list(range(len(batch)))]
    detectors = [detector_maps(model, config, crops) for model, config in models]
    rows = [{"video": face.video, "kind": face.kind, "frame": face.frame, "label": face.label,
             "detector": name, "stream": stream.stream, "layer": stream.layer,
             "prob_fake": float(probs[i]), **peak(stream.maps[i])}
            for name, probs, streams in detectors for stream in streams
            for i, face in enumerate(shown.itertuples())]
    data = pd.DataFrame(rows)
    save_figure(plot(shown, crops.rgb.numpy(), crops.depth.numpy(), detectors), out, data,
                out_data)
    log.info("Grad-CAM of %d detectors on %d test faces", len(detectors), len(shown))
    return data


def peak(cam: np.ndarray) -> dict:
    """Where a map peaks (row, column, as fractions of the side) and its mean."""
    row, column = np.unravel_index(int(cam.argmax()), cam.shape)
    return {"peak_row": row / cam.shape[0], "peak_column": column / cam.shape[1],
            "cam_mean": float(cam.mean())}


def plot(shown: pd.DataFrame, crops: np.ndarray, depth: np.ndarray, detectors: list
         ) -> plt.Figure:
    titles = ["crop", "depth"] + [f"{name}: {stream.stream} stream\n({stream.layer})"
                                  for name, _, streams in detectors for stream in streams]
    figure, axes = panel_grid(len(shown), len(titles), "Grad-CAM of the fake class (red = "
                              "most evidence), each map scaled to its own maximum", (1.6, 1.6),
                              margins=(0.45, 0.05, 0.45, 0.3))
    for axis in axes.flat:
        axis.set_xticks([])
        axis.set_yticks([])
    for column, title in enumerate(titles):
        axes[0, column].set_title(title, fontsize=7)
    for row, face in enumerate(shown.itertuples()):
        image = crops[row].astype(np.float32) / 255
        axes[row, 0].imshow(crops[row])
        axes[row, 0].set_ylabel(f"{face.kind}\n{face.video}, frame {face.frame}", fontsize=7)
        if depth.size:
            axes[row, 1].imshow(depth[row].astype(np.float32), cmap="magma", vmin=0, vmax=1)
        column = 2
        for _, probs, streams in detectors:
            for stream in streams:
                axes[row, column].imshow(show_cam_on_image(image, stream.maps[row], use_rgb=True))
                axes[row, column].set_xlabel(f"p(fake) {probs[row]:.2f}", fontsize=7)
                column += 1
    return figure
