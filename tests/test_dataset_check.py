"""Data sets checked on disk before any job runs; shard listings; the skip summary."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from depthfake.datasets import list_videos, shard
from depthfake.plan.dataset_check import dataset_problems, shard_listing
from depthfake.settings import DatasetSettings
from depthfake.storage.skips import skip_summary

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


def test_splits_that_miss_most_videos_name_splits_dir(ffpp):
    folder = Path(ffpp.root) / "original_sequences/youtube/raw/videos"
    (folder / "abc.mp4").touch()  # a video no split lists
    official = problems(ffpp.model_copy(update={"splits_dir": None}), slices=[("raw", "real")],
                        splits=set())
    assert official == [f"{folder}: 992 of the 1000 videos listed are missing (008, 009, 010, "
                        "...); most are, so the splits may not be this tree's: "
                        "datasets.ff.splits_dir is null: the official FF++ splits (the folder "
                        "holds 1 video(s) they do not list)"]
    for video in ("000", "001", "002", "003", "004"):
        (folder / f"{video}.mp4").unlink()
    [given] = problems(ffpp, slices=[("raw", "real")], splits=set())
    assert given.endswith(f"5 of the 8 videos listed are missing (000, 001, 002, ...); most "
                          f"are, so the splits may not be this tree's: datasets.ff.splits_dir "
                          f"is {ffpp.splits_dir} (the folder holds 1 video(s) they do not list)")


def manifest_source(root: Path, lines: list[str], **settings) -> DatasetSettings:
    """A manifest data set at `root` of a header and `lines`, its listed files made."""
    root.mkdir(exist_ok=True)
    (root / "m.csv").write_text("\n".join(["path,label,kind,split,group", *lines]) + "\n")
    for line in lines:
        (root / line.split(",")[0]).parent.mkdir(parents=True, exist_ok=True)
        (root / line.split(",")[0]).touch()
    return DatasetSettings(layout="manifest", root=str(root), manifest=str(root / "m.csv"),
                           forgeries=["swap"], **settings)


def test_every_problem_of_a_manifest_is_one_problem_by_line(tmp_path):
    source = manifest_source(tmp_path, ["r/a.mp4,0,real,train,a", "r/b.mp4,0,real,val,b",
                                        "r/c.mp4,0,real,test,c", "f/a_b.mp4,1,swap,train,a",
                                        "f/b_c.mp4,2,swap,val,b", "r/b.mp4,0,real,val,b",
                                        "f/c_a.mp4,1,swap,test,c", "f/gone.mp4,1,swap,val,b"])
    (tmp_path / "f/gone.mp4").unlink()
    slices = [("none", "real"), ("none", "swap")]
    assert dataset_problems("mine", source, slices, ALL_SPLITS) == [
        f"datasets.mine: {tmp_path}/m.csv has 3 problem(s):\n"
        "      line 6: label '2' is not 0 or 1\n"
        "      line 7: path 'r/b.mp4' repeats line 3\n"
        f"      line 9: {tmp_path}/f/gone.mp4 is not a file"]
    skipping = source.model_copy(update={"missing_videos": "skip"})
    [problem] = dataset_problems("mine", skipping, slices, ALL_SPLITS)
    assert problem.startswith(f"datasets.mine: {tmp_path}/m.csv has 2 problem(s):")
    # Files of kinds the workflow does not read may be missing.
    assert "gone" not in dataset_problems("mine", source, slices[:1], ALL_SPLITS)[0]
    fixed = manifest_source(tmp_path / "fixed", ["r/a.mp4,0,real,train,a", "r/b.mp4,0,real,val,b",
                                                 "r/c.mp4,0,real,test,c", "f/a.mp4,1,swap,train,a",
                                                 "f/b.mp4,1,swap,val,b", "f/c.mp4,1,swap,test,c"])
    assert dataset_problems("mine", fixed, slices, ALL_SPLITS) == []


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
