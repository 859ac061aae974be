"""Data sets checked on disk before any job runs; shard listings; the skip summary."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from depthfake.dataset_check import dataset_problems, shard_listing
from depthfake.datasets import list_videos, shard
from depthfake.settings import DatasetSettings
from depthfake.skips import skip_summary

PAIRS = {"train": [["000", "001"], ["002", "003"]], "val": [["004", "005"]],
         "test": [["006", "007"]]}
SLICES = [(c, k) for c in ("raw", "c40") for k in ("real", "FaceSwap", "Face2Face")]
ALL_SPLITS = {"train", "val", "test"}


@pytest.fixture
def ffpp(tmp_path) -> DatasetSettings:
    """An FF++-shaped tree (empty video files) with its split files."""
    splits = tmp_path / "splits"
    splits.mkdir()
    for split, pairs in PAIRS.items():
        (splits / f"{split}.json").write_text(json.dumps(pairs))
    source = DatasetSettings(root=str(tmp_path / "ff"), splits_dir=str(splits),
                             forgeries=["FaceSwap", "Face2Face"])
    for compression, kind in SLICES:
        for video in list_videos(source, kind, compression):
            Path(video.path).parent.mkdir(parents=True, exist_ok=True)
            Path(video.path).touch()
    return source


def problems(source: DatasetSettings, slices=SLICES, splits=ALL_SPLITS) -> list[str]:
    return dataset_problems("ff", source, slices, splits)


def test_a_complete_tree_has_no_problem(ffpp):
    assert problems(ffpp) == []


def test_a_root_that_is_not_there_is_the_one_problem(ffpp):
    assert problems(ffpp.model_copy(update={"root": "/nowhere"})) == [
        "datasets.ff.root: /nowhere is not a folder"]


def test_absent_compression_and_forgery_folders_are_each_named(ffpp):
    found = problems(ffpp, slices=[*SLICES, ("c23", "real"), ("raw", "NeuralTextures")])
    assert found == [
        f"{ffpp.root}/original_sequences/youtube/c23/videos (the real videos at c23) is not a "
        "folder",
        f"{ffpp.root}/manipulated_sequences/NeuralTextures/raw/videos (the NeuralTextures "
        "videos at raw) is not a folder"]


def test_a_malformed_split_file_is_named(ffpp):
    (Path(ffpp.splits_dir) / "val.json").write_text('[["004", "005"],')
    [problem] = problems(ffpp)
    assert problem.startswith(f"datasets.ff: {ffpp.splits_dir}/val.json: not a "
                              "readable JSON split file")


def test_missing_videos_are_listed_or_left_to_extraction_as_skips(ffpp):
    gone = Path(ffpp.root) / "original_sequences/youtube/c40/videos"
    for video in ("000", "001", "002", "006"):
        (gone / f"{video}.mp4").unlink()
    assert problems(ffpp) == [
        f"{gone}: 4 of the 8 videos listed are missing (000, 001, 002, ...)"]
    assert problems(ffpp.model_copy(update={"missing_videos": "skip"})) == []


def test_a_split_without_a_video_of_one_class_is_a_problem_even_when_skipping(ffpp):
    skipping = ffpp.model_copy(update={"missing_videos": "skip"})
    for compression, kind in SLICES[1:3]:  # the raw fakes
        for video in list_videos(ffpp, kind, compression):
            if video.split == "test":
                os.remove(video.path)
    assert problems(skipping) == ["data set ff has no fake test video at raw on disk"]
    assert problems(skipping, splits={"train", "val"}) == []  # not tested on: no problem


def listing(source: DatasetSettings, index: int, count: int) -> str:
    """The digest the workflow gives the real raw videos of shard `index` of `count`."""
    return shard_listing(shard(list_videos(source, "real", "raw"), index, count))


def test_a_shard_listing_changes_when_a_video_comes_back(ffpp):
    before = listing(ffpp, 0, 2)
    assert listing(ffpp, 0, 2) == before
    video = Path(list_videos(ffpp, "real", "raw")[0].path)
    video.unlink()
    missing = listing(ffpp, 0, 2)
    assert missing != before and listing(ffpp, 1, 2) != missing
    video.write_bytes(b"restored")
    assert listing(ffpp, 0, 2) not in (before, missing)


def test_the_skip_summary_counts_per_data_set_and_stage():
    skips = pd.DataFrame({"dataset": ["ff", "ff", "ff"], "video": ["1", "2", "3"],
                          "stage": ["extract_frames", "extract_frames", "crop_faces"]})
    assert skip_summary(skips) == ("Skipped videos (reasons in results/skipped.csv):\n"
                                   "  ff extract_frames: 2 video(s)\n"
                                   "  ff crop_faces: 1 video(s)")
    assert skip_summary(skips.iloc[:0]) == "No video was skipped."


def test_a_shard_listing_changes_when_a_video_changes_split(ffpp):
    before = listing(ffpp, 0, 1)
    pairs = {**PAIRS, "train": PAIRS["train"][:1], "val": [*PAIRS["val"], PAIRS["train"][1]]}
    for split, part in pairs.items():
        (Path(ffpp.splits_dir) / f"{split}.json").write_text(json.dumps(part))
    assert listing(ffpp, 0, 1) != before
