"""Face crops and depth maps read from the per-shard HDF5 files in batches.

A batch is read as contiguous runs of rows per file and returned as uint8 crops and float16
depth maps; conversion, normalisation and flips happen on the training device
(`depthfake.training.inputs`). Attacks, when asked for, run here in pixel space, and the
depth input is made as the evaluation's depth input says (`depthfake.settings.DepthInput`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import NamedTuple

import h5py
import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from depthfake.depth.convention import check_convention, stored_nan_background
from depthfake.evaluation.attacks import AttackSettings, attack_images, sample_rng, to_uint8
from depthfake.evaluation.conditions import CLEAN
from depthfake.evaluation.depth_under_attack import DepthRecompute
from depthfake.settings import ESTIMATED, PERTURB, RECOMPUTE, ZERO_DEPTH
from depthfake.storage.files import read_parquet
from depthfake.storage.h5 import open_h5


def load_face_index(index_files: list[str | os.PathLike], face_files: list[str | os.PathLike],
                    depth_files: list[str | os.PathLike] | None = None) -> pd.DataFrame:
    """Every frame with a face, from aligned lists of frame indices, crop and depth files."""
    depth_files = depth_files or [None] * len(index_files)
    if not len(index_files) == len(face_files) == len(depth_files):
        raise ValueError("index, face and depth file lists must have the same length")
    tables = []
    for index_file, face_file, depth_file in zip(index_files, face_files, depth_files, strict=True):
        table = read_parquet(index_file)
        tables.append(table.assign(face_file=str(face_file),
                                   depth_file=str(depth_file) if depth_file else None))
    index = pd.concat(tables, ignore_index=True)
    return index[index["has_face"]].reset_index(drop=True)


class FaceBatch(NamedTuple):
    """Crops (N, H, W, 3) uint8; depth (N, H, W) with NaN background as 0, or an empty tensor
    for models that read none; labels (N,); depth_lost (N,): the landmarks of the attacked
    crop were lost, and its re-estimated depth is the fallback."""

    rgb: torch.Tensor
    depth: torch.Tensor
    label: torch.Tensor
    depth_lost: torch.Tensor


def contiguous_runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) ranges covering sorted unique `rows`, one per run of consecutive rows."""
    breaks = np.flatnonzero(np.diff(rows) != 1) + 1
    return [(int(run[0]), int(run[-1]) + 1) for run in np.split(rows, breaks)]


class FaceBatches(Dataset):
    """Indexed faces, read a batch at a time: `dataset[positions]` is a `FaceBatch`.

    Use it with a DataLoader whose sampler yields lists of positions and `batch_size=None`.
    `condition` (depthfake.evaluation.attacks) is applied per sample with draws keyed by
    (attack_seed, video, kind, frame, condition), the same for every model. The depth input
    is `perturb` (the stored map, under attack the same operation on it), `estimated` (the
    stored map, clean faces only), `recompute` (the `recompute` backend on the crop, attacked
    or clean: its landmarks re-fitted there) or `zero` (zeros, attacked or not).
    """

    def __init__(self, index: pd.DataFrame, input_size: int, with_depth: bool, *,
                 condition: str = CLEAN, attack_params: AttackSettings | None = None,
                 attack_seed: int = 0, depth_input: str = PERTURB,
                 recompute: DepthRecompute | None = None):
        if with_depth and index["depth_file"].isna().any():
            raise ValueError("this model reads depth maps: give their HDF5 files (--depth)")
        if with_depth and depth_input == RECOMPUTE and recompute is None:
            raise ValueError("the recompute depth input needs a depth backend to recompute with")
        if depth_input == ESTIMATED and condition != CLEAN:
            raise ValueError(f"the estimated depth input is the stored maps of clean faces; "
                             f"under {condition!r} use perturb or recompute")
        self.index = index.reset_index(drop=True)
        self.with_depth = with_depth
        self.condition = condition
        self.attack_params = attack_params or AttackSettings()
        self.attack_seed = attack_seed
        self.depth_input = depth_input
        self.recompute = recompute
        self.labels = self.index["label"].to_numpy(np.int64)
        self._rows = self.index["row"].to_numpy(np.int64)
        self._paths = {column: self.index[column].to_numpy()
                       for column in ("face_file", "depth_file")}
        self._files: dict[str, h5py.File] = {}
        for path in self.index["face_file"].unique():
            with open_h5(path) as handle:
                side = handle["crops"].shape[1]
            if side != input_size:
                raise ValueError(f"{path} holds {side} px crops; the model takes "
                                 f"{input_size} px input")

    def __len__(self) -> int:
        return len(self.index)

    def digest(self) -> str:
        """A digest of which faces these are (files, rows, videos, kinds, frames, labels)."""
        columns = ["face_file", "depth_file", "row", "video", "kind", "frame", "label"]
        hashes = pd.util.hash_pandas_object(self.index[columns], index=False).to_numpy()
        return hashlib.sha256(hashes.tobytes()).hexdigest()

    def __getstate__(self) -> dict:  # loader processes open their own HDF5 handles
        return {**self.__dict__, "_files": {}}

    def _read(self, column: str, dataset: str, positions: np.ndarray) -> np.ndarray:
        """The `dataset` rows of `positions`, read as contiguous runs from each file."""
        paths = self._paths[column][positions]
        out = None
        for path in dict.fromkeys(paths):
            if path not in self._files:
                self._files[path] = open_h5(path)
            data = self._files[path][dataset]
            mine = positions[paths == path]
            rows, inverse = np.unique(self._rows[mine], return_inverse=True)
            block = np.concatenate([data[start:stop] for start, stop in contiguous_runs(rows)])
            if out is None:
                out = np.empty((len(positions), *block.shape[1:]), block.dtype)
            out[paths == path] = block[inverse]
        return out

    def _read_depth(self, positions: np.ndarray) -> np.ndarray:
        """The stored maps of `positions`, NaN background as 0; maps outside the convention
        are refused, naming their file and rows."""
        depth = self._read("depth_file", "depth", positions)
        paths = self._paths["depth_file"][positions]
        for path in dict.fromkeys(paths):
            mine = paths == path
            check_convention(depth[mine], stored_nan_background(self._files[path], path), path,
                             self._rows[positions][mine])
        return np.nan_to_num(depth, nan=0.0)

    def __getitem__(self, positions: Sequence[int]) -> FaceBatch:
        positions = np.asarray(positions, np.int64)
        rgb = self._read("face_file", "crops", positions)
        lost = np.zeros(len(positions), bool)
        if not self.with_depth:
            depth = np.zeros((0,), np.float16)
        elif self.depth_input in (ZERO_DEPTH, RECOMPUTE):  # recomputed below
            depth = np.zeros(rgb.shape[:3], np.float16)
        else:
            depth = self._read_depth(positions)
        if self.condition != CLEAN:
            rgb, depth = self._attack(positions, rgb, depth)
        if self.with_depth and self.depth_input == RECOMPUTE:
            depth, lost = self.recompute(rgb)
        return FaceBatch(torch.from_numpy(rgb), torch.from_numpy(depth),
                         torch.from_numpy(self.labels[positions]), torch.from_numpy(lost))

    def _attack(self, positions: np.ndarray, rgb: np.ndarray, depth: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
        """The condition applied to each crop in [0, 1] floats, rounded back to uint8, and to
        the stored maps under `perturb`; returns crops and depth."""
        perturb = self.with_depth and self.depth_input == PERTURB
        rgb_out = np.empty_like(rgb)
        depth_out = depth.astype(np.float32) if perturb else depth
        for i, item in enumerate(self.index.iloc[positions].itertuples()):
            rng = sample_rng(self.attack_seed, item.video, item.kind, int(item.frame),
                             self.condition)
            images = [rgb[i].astype(np.float32) / 255.0, *([depth_out[i]] if perturb else [])]
            attacked = attack_images(self.condition, images, self.attack_params, rng)
            rgb_out[i] = to_uint8(attacked[0])
            if perturb:
                depth_out[i] = attacked[1]
        return rgb_out, depth_out
