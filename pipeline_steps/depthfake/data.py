"""Face crops and depth maps as a torch Dataset, read lazily from the per-shard HDF5 files."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from depthfake.attacks import AttackSettings, attack_sample, sample_rng
from depthfake.files import read_parquet
from depthfake.h5store import open_h5
from depthfake.models import DetectorConfig


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


def normalise(rgb: np.ndarray, depth: np.ndarray, config: DetectorConfig
              ) -> tuple[torch.Tensor, torch.Tensor]:
    """[0, 1] RGB (H, W, 3) and depth (H, W) to the model's normalised CHW tensors."""
    mean = np.asarray(config.rgb_mean, np.float32)
    std = np.asarray(config.rgb_std, np.float32)
    rgb_t = torch.from_numpy(((rgb - mean) / std).transpose(2, 0, 1).astype(np.float32))
    depth_t = torch.from_numpy(((depth - config.depth_mean) / config.depth_std)[None]
                               .astype(np.float32))
    return rgb_t, depth_t


class FaceDepthDataset(Dataset):
    """(rgb, depth, label) per indexed face, after an optional attack in pixel space.

    Models that read no depth (`config.reads_depth` false) read no depth file; depth is zero.
    `flip_probability` mirrors samples at random (training augmentation).
    """

    def __init__(self, index: pd.DataFrame, config: DetectorConfig, condition: str = "clean",
                 attack_params: AttackSettings | None = None, attack_seed: int = 0,
                 flip_probability: float = 0.0):
        self.with_depth = config.reads_depth
        if self.with_depth and index["depth_file"].isna().any():
            raise ValueError("this model reads depth maps: give their HDF5 files (--depth)")
        self.index = index.reset_index(drop=True)
        self.config = config
        self.condition = condition
        self.attack_params = attack_params or AttackSettings()
        self.attack_seed = attack_seed
        self.flip_probability = flip_probability
        self._files: dict[str, h5py.File] = {}
        for path in self.index["face_file"].unique():
            side = self._file(path)["crops"].shape[1]
            if side != config.input_size:
                raise ValueError(f"{path} holds {side} px crops; the {config.detector} model "
                                 f"takes {config.input_size} px input")

    def __len__(self) -> int:
        return len(self.index)

    def _file(self, path: str) -> h5py.File:
        if path not in self._files:
            self._files[path] = open_h5(path)
        return self._files[path]

    def _read(self, path: str, dataset: str, row: int) -> np.ndarray:
        return self._file(path)[dataset][row]

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor, int]:
        item = self.index.iloc[i]
        row = int(item["row"])
        rgb = self._read(item["face_file"], "crops", row).astype(np.float32) / 255.0
        if self.with_depth:
            depth = np.nan_to_num(self._read(item["depth_file"], "depth", row).astype(np.float32))
        else:
            depth = np.zeros(rgb.shape[:2], np.float32)
        rng = sample_rng(self.attack_seed, item["video"], item["kind"], int(item["frame"]))
        rgb, depth = attack_sample(self.condition, rgb, depth, self.attack_params, rng)
        rgb_t, depth_t = normalise(rgb, depth, self.config)
        if self.flip_probability and torch.rand(()) < self.flip_probability:
            rgb_t, depth_t = rgb_t.flip(-1), depth_t.flip(-1)
        return rgb_t, depth_t, int(item["label"])
