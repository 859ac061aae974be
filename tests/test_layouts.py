"""Data set layouts on generated trees: FF++ (pairs), DeepFakeDetection (actors), Celeb-DF v2
(its test list) and manifests: labels, splits, identities, and extraction of their videos."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from depthfake.datasets import EXCLUDED, LAYOUTS, SPLITS, list_videos
from depthfake.datasets.base import split_groups
from depthfake.datasets.extract_shard import extract_frames
from depthfake.datasets.manifest import video_ids
from depthfake.datasets.video import write_h264
from depthfake.settings import NO_COMPRESSION, DatasetSettings, FrameSettings, Layout, load_config

REAL_FOLDERS = {"Celeb-real": ["id0_0000", "id0_0001", "id1_0000", "id2_0000", "id3_0000",
                               "id4_0000", "id5_0000"],
                "YouTube-real": ["00000", "00001"]}
FAKES = ["id0_id1_0000", "id1_id0_0000", "id2_id3_0000", "id4_id5_0000", "id5_id4_0000"]
# Celeb-DF's list: label 1 = real, 0 = fake.
TEST_LIST = ["1 Celeb-real/id0_0001.mp4", "1 YouTube-real/00001.mp4",
             "0 Celeb-synthesis/id1_id0_0000.mp4"]


def tiny_video(path: Path, seed: int = 0, frames: int = 4) -> None:
    """A real (decodable) 4-frame H.264 file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    write_h264(path, [rng.integers(0, 255, (32, 32, 3), np.uint8) for _ in range(frames)],
               fps=25, crf=23)


def ids(videos, split=None) -> list[str]:
    return [v.video for v in videos if split is None or v.split == split]


@pytest.fixture(scope="module")
def celebdf(tmp_path_factory) -> DatasetSettings:
    root = tmp_path_factory.mktemp("celebdf")
    names = [(f, n) for f, ns in REAL_FOLDERS.items() for n in ns]
    for seed, (folder, name) in enumerate([*names, *(("Celeb-synthesis", n) for n in FAKES)]):
        tiny_video(root / folder / f"{name}.mp4", seed)
    (root / "List_of_testing_videos.txt").write_text("\n".join(TEST_LIST) + "\n")
    return DatasetSettings(layout="celebdf", root=str(root))


def test_every_layout_the_settings_accept_has_a_lister():
    assert set(LAYOUTS) == set(Layout.__args__)


def test_celebdf_tests_exactly_the_videos_of_its_list(celebdf):
    assert celebdf.forgeries == ["Celeb-synthesis"] and celebdf.compressions is None
    reals = list_videos(celebdf, "real", NO_COMPRESSION)
    fakes = list_videos(celebdf, "Celeb-synthesis", NO_COMPRESSION)
    assert len(reals) == 9 and len(fakes) == 5
    assert {v.label for v in reals} == {0} and {v.label for v in fakes} == {1}
    assert sorted(ids(reals, "test") + ids(fakes, "test")) == ["00001", "id0_0001",
                                                               "id1_id0_0000"]
    assert Path(next(v for v in reals if v.video == "00001").path) == (
        Path(celebdf.root) / "YouTube-real" / "00001.mp4")
    # Apart from the list, identities decide train or val, and never cross them.
    rest = [v for v in [*reals, *fakes] if v.split != "test"]
    assert {v.split for v in rest} <= {"train", "val", EXCLUDED}
    for split in ("train", "val"):
        others = {g for v in rest if v.split not in (split, EXCLUDED) for g in v.groups}
        assert not others & {g for v in rest if v.split == split for g in v.groups}


def test_celebdf_problems_name_the_list(celebdf, tmp_path):
    broken = tmp_path / "cd"
    broken.mkdir()
    for folder in ("Celeb-real", "YouTube-real", "Celeb-synthesis"):
        (broken / folder).mkdir()
    source = celebdf.model_copy(update={"root": str(broken)})
    for bad in ("real x", "1 celeb-real/id0_0001.mp4"):  # not a label; not a folder
        (broken / "List_of_testing_videos.txt").write_text(f"1 Celeb-real/id0_0000.mp4\n{bad}\n")
        with pytest.raises(ValueError, match=r"List_of_testing_videos.txt, line 2: expected"):
            list_videos(source, "real", NO_COMPRESSION)
    with pytest.raises(ValueError, match="one quality"):
        DatasetSettings(layout="celebdf", root="x", compressions=["c23"])


def test_dfd_splits_actors_and_excludes_fakes_across_splits(tmp_path):
    source = DatasetSettings(layout="dfd", root=str(tmp_path))
    assert source.real_source == "actors" and source.forgeries == ["DeepFakeDetection"]
    real_dir = tmp_path / "original_sequences/actors/c23/videos"
    fake_dir = tmp_path / "manipulated_sequences/DeepFakeDetection/c23/videos"
    actors = [f"{i:02d}" for i in range(1, 21)]
    for actor in actors:
        (real_dir / f"{actor}__walking.mp4").parent.mkdir(parents=True, exist_ok=True)
        (real_dir / f"{actor}__walking.mp4").touch()
    for target, source_actor in zip(actors, actors[1:] + actors[:1], strict=True):
        fake_dir.mkdir(parents=True, exist_ok=True)
        (fake_dir / f"{target}_{source_actor}__walking__ABC.mp4").touch()
    reals = list_videos(source, "real", "c23")
    fakes = list_videos(source, "DeepFakeDetection", "c23")
    split = {v.groups[0]: v.split for v in reals}
    assert sorted(split.values()).count("train") == round(20 * 0.72)
    assert set(split.values()) == set(SPLITS)
    for fake in fakes:
        target, source_actor = fake.groups
        expected = split[target] if split[target] == split[source_actor] else EXCLUDED
        assert fake.split == expected and fake.label == 1
    assert any(f.split == EXCLUDED for f in fakes) and any(f.split != EXCLUDED for f in fakes)


def test_split_groups_is_deterministic_and_order_free():
    groups = [f"person{i}" for i in range(100)]
    first = split_groups(groups, (0.7, 0.15, 0.15))
    assert first == split_groups(reversed(groups), (70, 15, 15))
    assert [list(first.values()).count(s) for s in SPLITS] == [70, 15, 15]


def write_manifest(root: Path, rows: list[tuple], name="manifest.csv") -> Path:
    table = pd.DataFrame(rows, columns=["path", "label", "kind", "split", "group"])
    path = root / name
    if name.endswith(".parquet"):
        table.to_parquet(path)
    else:
        table.to_csv(path, index=False)
    return path


MANIFEST = [
    ("a/alice_1.mp4", 0, "real", "train", "alice"),
    ("a/bob_1.mp4", 0, "real", "test", "bob"),
    ("b/alice_bob.mp4", 1, "swap", "", "alice;bob"),  # two people in two splits: excluded
    ("b/bob_2.mp4", 1, "swap", "", "bob"),  # bob is in test
    ("b/carol.mp4", 1, "reenact", "val", "carol"),
]


@pytest.mark.parametrize("name", ["manifest.csv", "manifest.parquet"])
def test_a_manifest_gives_labels_kinds_and_splits_by_group(tmp_path, name):
    path = write_manifest(tmp_path, MANIFEST, name)
    source = DatasetSettings(layout="manifest", root=str(tmp_path), manifest=str(path),
                             forgeries=["swap", "reenact"])
    assert source.compressions is None
    reals = list_videos(source, "real", NO_COMPRESSION)
    swaps = list_videos(source, "swap", NO_COMPRESSION)
    assert [(v.video, v.split, v.label) for v in reals] == [("alice_1", "train", 0),
                                                           ("bob_1", "test", 0)]
    assert [(v.video, v.split, v.groups) for v in swaps] == [
        ("alice_bob", EXCLUDED, ("alice", "bob")), ("bob_2", "test", ("bob",))]
    assert swaps[1].path == str(tmp_path / "b/bob_2.mp4")
    assert ids(list_videos(source, "reenact", NO_COMPRESSION), "val") == ["carol"]


@pytest.mark.parametrize("rows, message", [
    ([*MANIFEST, ("a/bob_3.mp4", 0, "real", "train", "bob")],
     "line 3: group 'bob' is in more than one split: test (line 3), train (line 7)"),
    ([("a/x.mp4", 1, "real", "train", "x")], "line 2: label 1 does not go with kind 'real'"),
    ([("a/x.mp4", 0, "real", "dev", "x")], "line 2: split 'dev' is not one of"),
    ([*MANIFEST, ("a/bob_3.mp4", 0, "real", "train", " carol ; ")],  # trimmed: carol
     "line 6: group 'carol' is in more than one split: val (line 6), train (line 7)"),
    ([("a/x.mp4", 0, "real", "train", "x"), ("a/x.mp4", 1, "swap", "train", "y")],
     "line 3: path 'a/x.mp4' repeats line 2"),
    ([("a/x.mp4", 0, "real", "train", "x"), ("a/x.avi", 0, "real", "train", "y")],
     "line 3: path 'a/x.avi' and 'a/x.mp4' (line 2) differ only in their extension"),
    ([("a.mp4", 0, "real", "train", "x"), ("a/b.mp4", 0, "real", "train", "y"),
      ("z/b.mp4", 0, "real", "train", "z")],  # b is not unique; a is a whole path
     "line 2: the id 'a' of 'a.mp4' is a folder of the id 'a/b' of line 3"),
])
def test_a_bad_manifest_is_one_error_naming_file_and_line(tmp_path, rows, message):
    path = write_manifest(tmp_path, rows)
    source = DatasetSettings(layout="manifest", root=str(tmp_path), manifest=str(path),
                             forgeries=["swap"])
    with pytest.raises(ValueError) as error:
        list_videos(source, "real", NO_COMPRESSION)
    assert str(error.value).startswith(f"{path} has 1 problem(s):\n      {message}")


def test_every_problem_of_a_manifest_is_named_by_its_line_of_the_file(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("# my videos\n"
                    "path,label,kind,split,group\n"
                    "a/x.mp4,0,real,train,p1\n"
                    "a/y.mp4,2,real,train,p2\n"  # line 4: a bad label
                    "# two lines of one row:\n"
                    '"a/multi\nline.mp4",0,real,val,p3\n'
                    "a/x.mp4,0,real,train,p1\n"  # line 8: a repeated path
                    "a/z.mp4,0,real,val,p4,extra\n"
                    "\n"
                    "b/f.mp4,1,swap,test,p1\n")  # line 11: p1 is in train
    source = DatasetSettings(layout="manifest", root=str(tmp_path), manifest=str(path),
                             forgeries=["swap"])
    with pytest.raises(ValueError) as error:
        list_videos(source, "real", NO_COMPRESSION)
    assert str(error.value).splitlines() == [
        f"{path} has 4 problem(s):",
        "      line 3: group 'p1' is in more than one split: train (lines 3, 8), test (line 11)",
        "      line 4: label '2' is not 0 or 1",
        "      line 8: path 'a/x.mp4' repeats line 3",
        "      line 9: 6 values where the header has 5"]


def test_a_manifest_with_many_problems_names_the_first_by_line_and_counts_all(tmp_path):
    path = write_manifest(tmp_path, [(f"a/{i}.mp4", 1, "real", "train", "x") for i in range(60)])
    source = DatasetSettings(layout="manifest", root=str(tmp_path), manifest=str(path),
                             forgeries=["swap"])
    with pytest.raises(ValueError) as error:
        list_videos(source, "real", NO_COMPRESSION)
    header, *shown = str(error.value).splitlines()
    assert header == f"{path} has 60 problem(s), the first 50 shown:"
    assert [line.split(":")[0] for line in shown] == [f"      line {n}" for n in range(2, 52)]


def test_a_parquet_manifest_names_its_rows(tmp_path):
    path = write_manifest(tmp_path, [("a/x.mp4", 0, "real", "train", "x"),
                                     ("a/y.mp4", 0, "real", "later", "y")], "m.parquet")
    source = DatasetSettings(layout="manifest", root=str(tmp_path), manifest=str(path),
                             forgeries=["swap"])
    with pytest.raises(ValueError, match=r"m.parquet has 1 problem\(s\):\n      row 2: split "
                                         "'later' is not one of"):
        list_videos(source, "real", NO_COMPRESSION)


def test_manifest_ids_are_the_shortest_unique_path_suffixes(tmp_path):
    method = "manipulated_sequences/{}/c40/videos/{}.mp4"
    rows = [(method.format(kind, name), 1, kind, "test", name)
            for kind in ("Deepfakes", "Face2Face") for name in ("102_100", "103_101")]
    rows += [("elsewhere/Deepfakes/102_100.mp4", 1, "Deepfakes", "test", "other"),
             ("original_sequences/youtube/c40/videos/102.mp4", 0, "real", "test", "102")]
    source = DatasetSettings(layout="manifest", root=str(tmp_path), forgeries=["Deepfakes"],
                             manifest=str(write_manifest(tmp_path, rows)))
    fakes = list_videos(source, "Deepfakes", NO_COMPRESSION)
    assert [(v.video, v.path) for v in fakes] == [
        ("103_101", str(tmp_path / method.format("Deepfakes", "103_101"))),
        ("Deepfakes/102_100", str(tmp_path / "elsewhere/Deepfakes/102_100.mp4")),
        ("videos/102_100", str(tmp_path / method.format("Deepfakes", "102_100")))]
    assert ids(list_videos(source, "Face2Face", NO_COMPRESSION)) == ["102_100", "103_101"]
    assert ids(list_videos(source, "real", NO_COMPRESSION)) == ["102"]
    # No id is a folder of another (their HDF5 names would clash): the folder grows, or the
    # other id where the folder is a whole path. Absolute paths lose their "/".
    assert video_ids(["x/a.mp4", "p/a/b.mp4", "q/b.mp4", "/abs/c.avi", "c.mp4"]) == [
        "x/a", "a/b", "q/b", "abs/c", "c"]
    assert video_ids(["a.mp4", "x/a/b.mp4", "z/b.mp4"]) == ["a", "x/a/b", "z/b"]


def test_a_manifest_layout_needs_its_file_and_forgeries():
    with pytest.raises(ValueError, match="layout manifest needs `manifest`"):
        DatasetSettings(layout="manifest", root="x", forgeries=["swap"])
    with pytest.raises(ValueError, match="layout manifest needs `forgeries`"):
        DatasetSettings(layout="manifest", root="x", manifest="m.csv")


def test_extraction_reads_manifest_videos_and_records_excluded_ones(tmp_path):
    path = write_manifest(tmp_path, MANIFEST)
    for seed, row in enumerate(MANIFEST):
        tiny_video(tmp_path / row[0], seed, frames=6)
    source = DatasetSettings(layout="manifest", root=str(tmp_path), manifest=str(path),
                             forgeries=["swap", "reenact"])
    out = tmp_path / "out"
    index = extract_frames("mine", source, FrameSettings(per_video=3), kind="swap",
                           compression=NO_COMPRESSION, shard_index=0, num_shards=1,
                           out_frames=out / "f.h5", out_index=out / "f.parquet",
                           out_skips=out / "skips.csv")
    assert index.groupby("video")["position"].count().to_dict() == {"bob_2": 3}
    assert set(index["split"]) == {"test"} and set(index["cluster"]) == {"bob"}
    assert set(index["path"]) == {str(tmp_path / "b/bob_2.mp4")}  # the id's file, in full
    skipped = pd.read_csv(out / "skips.csv", comment="#")
    assert skipped["video"].tolist() == ["alice_bob"]
    assert "different splits" in skipped["reason"].iloc[0]


def test_a_cross_dataset_config_validates(celebdf):
    config = load_config({
        "datasets": {"ff": {"root": "/ff"}, "celebdf": celebdf.model_dump()},
        "train": {"dataset": "ff", "forgeries": ["FaceSwap"]},
        "evaluate": {"datasets": ["ff", "celebdf"]},
    })
    assert config.test_datasets() == ["ff", "celebdf"]
    assert json.loads(config.model_dump_json())["datasets"]["celebdf"]["layout"] == "celebdf"
    with pytest.raises(ValueError, match=r"compressions \['c23'\] share none with the "
                                         r"training data set's \['raw', 'c40'\]"):
        load_config({"datasets": {"ff": {"root": "/ff"}, "dfd": {"layout": "dfd", "root": "/ff"}},
                     "train": {"dataset": "ff"}, "evaluate": {"datasets": ["ff", "dfd"]}})


def test_celebdf_people_get_one_split_in_every_folder(tmp_path):
    """Identities are split over all folders: a person's reals and fakes agree."""
    for i in range(40):
        tiny_path = tmp_path / "Celeb-real" / f"id{i}_0000.mp4"
        tiny_path.parent.mkdir(parents=True, exist_ok=True)
        tiny_path.touch()
        (tmp_path / "YouTube-real").mkdir(exist_ok=True)
        (tmp_path / "YouTube-real" / f"{i:05d}.mp4").touch()
        (tmp_path / "Celeb-synthesis").mkdir(exist_ok=True)
        (tmp_path / "Celeb-synthesis" / f"id{i}_id{i}_0000.mp4").touch()
    (tmp_path / "List_of_testing_videos.txt").write_text("")
    source = DatasetSettings(layout="celebdf", root=str(tmp_path))
    real = {v.groups: v.split for v in list_videos(source, "real", NO_COMPRESSION)}
    fake = {v.groups[:1]: v.split for v in list_videos(source, "Celeb-synthesis",
                                                       NO_COMPRESSION)}
    assert {g: real[g] for g in fake} == fake and set(fake.values()) == {"train", "val"}


def test_clusters_are_target_people_in_dfd_and_celebdf(celebdf, tmp_path):
    fakes = list_videos(celebdf, "Celeb-synthesis", NO_COMPRESSION)
    reals = list_videos(celebdf, "real", NO_COMPRESSION)
    assert {v.video: v.cluster for v in fakes}["id1_id0_0000"] == "id1"  # its target
    clusters = {v.video: v.cluster for v in reals}
    assert clusters["id0_0001"] == clusters["id0_0000"] == "id0"
    assert clusters["00001"] == "youtube-00001"  # a YouTube real is a cluster of its own
    real_dir = tmp_path / "original_sequences/actors/c23/videos"
    fake_dir = tmp_path / "manipulated_sequences/DeepFakeDetection/c23/videos"
    for path in (real_dir / "01__walking.mp4", real_dir / "02__hugging.mp4",
                 fake_dir / "01_02__walking__ABC.mp4"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    dfd = DatasetSettings(layout="dfd", root=str(tmp_path))
    assert [v.cluster for v in list_videos(dfd, "DeepFakeDetection", "c23")] == ["01"]
    assert [v.cluster for v in list_videos(dfd, "real", "c23")] == ["01", "02"]


def test_a_manifest_cluster_is_the_groups_shown_together_within_a_split(tmp_path):
    rows = [*MANIFEST, ("b/bob_dave.mp4", 1, "swap", "", "bob;dave"),
            ("a/dave.mp4", 0, "real", "test", "dave"),
            ("a/erin.mp4", 0, "real", "test", "erin")]
    path = write_manifest(tmp_path, rows)
    source = DatasetSettings(layout="manifest", root=str(tmp_path), manifest=str(path),
                             forgeries=["swap", "reenact"])
    videos = [v for kind in ("real", "swap") for v in list_videos(source, kind,
                                                                  NO_COMPRESSION)]
    cluster = {v.video: v.cluster for v in videos if v.split != EXCLUDED}
    # bob and dave share a video: one cluster, named by its first member; alice's video in
    # another split (through the excluded alice_bob) does not join it
    assert cluster["bob_1"] == cluster["bob_2"] == cluster["bob_dave"] == cluster["dave"]
    assert cluster["bob_1"] == "bob" and cluster["erin"] == "erin"
    assert cluster["alice_1"] == "alice"
