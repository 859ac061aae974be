"""FF++ split files and layout."""

from __future__ import annotations

import json

import pytest

from depthfake.datasets import list_videos, shard
from depthfake.datasets.ffpp import OFFICIAL_SPLITS_DIR, video_path, video_splits
from depthfake.settings import NO_COMPRESSION, DatasetSource

FFPP = DatasetSource(root="/ff")  # the official splits by default


def test_shipped_official_splits_are_disjoint_and_complete():
    splits = video_splits(OFFICIAL_SPLITS_DIR)
    for kind, expected in (("real", (720, 140, 140)), ("fake", (720, 140, 140))):
        by_split = {s: {v for v, sp in splits[kind].items() if sp == s}
                    for s in ("train", "val", "test")}
        assert tuple(len(by_split[s]) for s in ("train", "val", "test")) == expected
        assert not by_split["train"] & by_split["val"]
        assert not by_split["train"] & by_split["test"]
        assert not by_split["val"] & by_split["test"]
    # identities (the real ids inside fake names) never cross splits either
    for fake, split in splits["fake"].items():
        target, source = fake.split("_")
        assert splits["real"][target] == split and splits["real"][source] == split


def test_a_video_in_two_splits_is_rejected(tmp_path):
    (tmp_path / "train.json").write_text(json.dumps([["001", "002"]]))
    (tmp_path / "val.json").write_text(json.dumps([["001", "003"]]))
    (tmp_path / "test.json").write_text(json.dumps([["004", "005"]]))
    with pytest.raises(ValueError, match="001 is listed in both train and val"):
        video_splits(tmp_path)


def test_malformed_split_file_is_named(tmp_path):
    for split in ("train", "val", "test"):
        (tmp_path / f"{split}.json").write_text(json.dumps({"not": "pairs"}))
    with pytest.raises(ValueError, match="train.json: expected a JSON list"):
        video_splits(tmp_path)


def test_list_videos_follows_the_ffpp_layout():
    reals = list_videos(FFPP, "real", "c40")
    fakes = list_videos(FFPP, "Deepfakes", "c40")
    assert len(reals) == len(fakes) == 1000
    assert {v.label for v in reals} == {0} and {v.label for v in fakes} == {1}
    row = next(v for v in reals if v.video == "953")
    assert row.path == "/ff/original_sequences/youtube/c40/videos/953.mp4"
    assert row.split == "test"  # test.json opens with ["953", "974"]
    assert str(video_path("/ff", "Deepfakes", "raw", "953_974", "youtube")) == (
        "/ff/manipulated_sequences/Deepfakes/raw/videos/953_974.mp4")
    assert str(video_path("/cd", "real", NO_COMPRESSION, "00001", "youtube")) == (
        "/cd/original_sequences/youtube/videos/00001.mp4")


def test_shards_partition_the_videos():
    videos = list_videos(FFPP, "real", "c40")
    parts = [shard(videos, i, 3) for i in range(3)]
    ids = [v.video for p in parts for v in p]
    assert sorted(ids) == sorted(v.video for v in videos) and len(set(ids)) == len(ids)
    with pytest.raises(ValueError):
        shard(videos, 3, 3)


def test_no_person_of_a_test_video_is_in_training():
    videos = [*list_videos(FFPP, "real", "c40"), *list_videos(FFPP, "Deepfakes", "c40")]
    people = {split: {g for v in videos if v.split == split for g in v.groups}
              for split in ("train", "val", "test")}
    assert len(people["test"]) == 140 and not people["test"] & people["train"]
    assert not people["val"] & people["train"]
    assert next(v for v in videos if v.video == "953_974").groups == ("953", "974")


def test_an_ffpp_cluster_is_a_test_pair_with_every_fake_made_from_it():
    videos = [*list_videos(FFPP, "real", "c40"), *list_videos(FFPP, "Deepfakes", "c40")]
    cluster = {v.video + v.kind: v.cluster for v in videos}
    # test.json opens with ["953", "974"]: both reals and both fakes, one cluster
    assert {cluster[k] for k in ("953real", "974real", "953_974Deepfakes",
                                 "974_953Deepfakes")} == {"953"}
    test = [v for v in videos if v.split == "test"]
    assert len({v.cluster for v in test}) == 70  # the 70 test pairs
    assert all(sum(v.cluster == c for v in test) == 4 for c in {v.cluster for v in test})
