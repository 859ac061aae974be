"""The miniature FF++ demo set: layout, splits, manifest, and what the manipulations change."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from depthfake.datasets import SPLITS
from depthfake.datasets.ffpp import read_split_pairs, video_path, video_splits
from depthfake.datasets.video import read_sampled_frames
from depthfake.demo import build as demo_build
from depthfake.demo import build_demo_dataset
from depthfake.demo.build import REAL_SOURCE
from depthfake.faces import create_face_detector, largest_face
from depthfake.settings import DemoSettings

REALS_PER_PERSON, FRAMES = 2, 8
TINY = DemoSettings(reals_per_person=2, frames_per_clip=1)
METHODS = ("FaceSwap", "Face2Face")
CORNER = 24  # side of the top-left square, far from every face


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    root = tmp_path_factory.mktemp("demo") / "ffpp"
    manifest = build_demo_dataset(root, DemoSettings(reals_per_person=REALS_PER_PERSON,
                                                     frames_per_clip=FRAMES, seed=3))
    return root, manifest


@pytest.fixture(scope="module")
def detector():
    return create_face_detector("dlib", upsample=0, landmark_model=None)


def raw_frames(root: Path, kind: str, video: str) -> list[np.ndarray]:
    return [f.astype(np.int16) for f in read_sampled_frames(
        video_path(root, kind, "raw", video, REAL_SOURCE), FRAMES)[1]]


def test_layout_is_ffpp(demo):
    root, _ = demo
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.mp4"))
    reals = [f for f in files if f.startswith("original_sequences/")]
    fakes = [f for f in files if f.startswith("manipulated_sequences/")]
    assert len(reals) == 3 * REALS_PER_PERSON * 2
    assert len(fakes) == 3 * REALS_PER_PERSON * len(METHODS) * 2
    assert all(re.fullmatch(r"original_sequences/youtube/(raw|c40)/videos/\d{3}\.mp4", f)
               for f in reals)
    assert all(re.fullmatch(r"manipulated_sequences/(FaceSwap|Face2Face)/(raw|c40)/videos/"
                            r"\d{3}_\d{3}\.mp4", f) for f in fakes)
    assert sorted(p.name for p in root.iterdir()) == [
        demo_build.BUILD_MARKER, "README.md", "manifest.csv", "manipulated_sequences",
        "original_sequences", "splits"]
    readme = (root / "README.md").read_text()
    assert all(word in readme for word in ("Eileen Collins", "Grace Hopper", "carphone"))
    assert not list(root.parent.glob(".ffpp.*")), "temporary build folders were left behind"


def test_splits_are_disjoint_ffpp_pairs(demo):
    root, manifest = demo
    pairs = {split: read_split_pairs(root / "splits" / f"{split}.json") for split in SPLITS}
    assert [len(pairs[s]) for s in SPLITS] == [1, 1, 1]
    assert all(isinstance(p, list) and len(p) == 2
               for s in SPLITS for p in json.loads((root / "splits" / f"{s}.json").read_text()))
    table = video_splits(root / "splits")  # raises if an id sits in two splits
    reals = [vid for s in SPLITS for pair in pairs[s] for vid in pair]
    assert sorted(reals) == sorted(set(reals)) == [f"{k:03d}" for k in range(6)]
    person = manifest[manifest.kind == "real"].set_index("video")["person"].to_dict()
    assert all(person[t] != person[s] for s in SPLITS for t, s in pairs[s])
    for kind, group in manifest.groupby("kind"):
        expected = table["real" if kind == "real" else "fake"]
        assert all(expected[v] == s for v, s in zip(group.video, group.split, strict=True))
    for split in SPLITS:
        assert set(manifest[manifest.split == split].kind) == {"real", *METHODS}


def test_manifest_matches_files(demo):
    root, manifest = demo
    assert list(manifest.columns) == ["video", "kind", "label", "compression", "split", "person",
                                      "source_person", "path"]
    on_disk = pd.read_csv(root / "manifest.csv", dtype=str, keep_default_na=False)
    assert len(on_disk) == len(manifest) == 36
    assert set(on_disk.path) == {p.relative_to(root).as_posix() for p in root.rglob("*.mp4")}
    assert set(on_disk.compression) == {"raw", "c40"}
    assert (on_disk.label == on_disk.kind.ne("real").astype(int).astype(str)).all()
    reals, fakes = on_disk[on_disk.kind == "real"], on_disk[on_disk.kind != "real"]
    assert (reals.source_person == "").all()
    person = reals.set_index("video")["person"].to_dict()
    targets, sources = fakes.video.str[:3], fakes.video.str[4:]
    assert (fakes.person == targets.map(person)).all()
    assert (fakes.source_person == sources.map(person)).all()
    assert set(on_disk.person) == {"astronaut", "grace_hopper", "carphone"}


def test_face_swap_changes_the_face_only(demo, detector):
    root, manifest = demo
    for video in manifest[manifest.kind == "FaceSwap"].video.unique():
        real = raw_frames(root, "real", video[:3])
        fake = raw_frames(root, "FaceSwap", video)
        x0, y0, x1, y1 = largest_face(detector.detect(real[0].astype(np.uint8))).box.astype(int)
        inside = np.abs(fake[0][y0:y1, x0:x1] - real[0][y0:y1, x0:x1]).mean()
        assert inside > 8, f"{video}: face barely changed ({inside:.1f})"
        for r, f in zip(real, fake, strict=True):
            assert np.array_equal(r[:CORNER, :CORNER], f[:CORNER, :CORNER]), video


def test_face2face_changes_the_mouth_only(demo, detector):
    root, manifest = demo
    for video in manifest[manifest.kind == "Face2Face"].video.unique():
        real = raw_frames(root, "real", video[:3])
        fake = raw_frames(root, "Face2Face", video)
        mouth = largest_face(detector.detect(real[0].astype(np.uint8))).landmarks[48:68]
        (x0, y0), (x1, y1) = mouth.min(0).astype(int), mouth.max(0).astype(int)
        y1 += (y1 - y0) // 2  # room for the lower lip to move down
        changed = np.mean([np.abs(f[y0:y1, x0:x1] - r[y0:y1, x0:x1]).mean()
                           for r, f in zip(real, fake, strict=True)])
        assert changed > 6, f"{video}: mouth barely changed ({changed:.1f})"
        for r, f in zip(real, fake, strict=True):
            assert np.array_equal(r[:CORNER, :CORNER], f[:CORNER, :CORNER]), video


def test_swapped_face_looks_like_its_source(demo):
    """dlib's face descriptor: swaps move toward the source's identity, reenactments keep the
    target's."""
    import dlib

    from depthfake.faces.dlib_backend import PREDICTOR_FILE, packaged_model_path

    models = packaged_model_path(PREDICTOR_FILE).parent
    net = dlib.face_recognition_model_v1(str(models / "dlib_face_recognition_resnet_model_v1.dat"))
    shapes = dlib.shape_predictor(str(models / "shape_predictor_68_face_landmarks.dat"))
    find = dlib.get_frontal_face_detector()
    root, manifest = demo

    @functools.cache
    def identity(kind: str, video: str) -> np.ndarray:
        frames = read_sampled_frames(video_path(root, kind, "raw", video, REAL_SOURCE), 3)[1]
        found = [(f, boxes[0]) for f in frames if (boxes := find(f, 0))]
        assert found, f"no face in {kind} {video}"
        return np.mean([net.compute_face_descriptor(f, shapes(f, box)) for f, box in found],
                       axis=0)

    margins = {method: [] for method in METHODS}
    for row in manifest[(manifest.kind != "real") & (manifest.compression == "raw")].itertuples():
        fake = identity(row.kind, row.video)
        target, source = (identity("real", vid) for vid in row.video.split("_"))
        margins[row.kind].append(np.linalg.norm(fake - target) - np.linalg.norm(fake - source))
    assert np.mean(margins["FaceSwap"]) > 0, margins
    assert max(margins["Face2Face"]) < -0.3, margins


def test_failed_build_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("encoder exploded")

    monkeypatch.setattr(demo_build, "write_h264", broken)
    with pytest.raises(RuntimeError, match="exploded"):
        build_demo_dataset(tmp_path / "out", TINY)
    assert list(tmp_path.iterdir()) == []


def test_refuses_bad_arguments_and_foreign_folders(tmp_path):
    with pytest.raises(ValueError, match="even"):
        DemoSettings(reals_per_person=3)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError):
        build_demo_dataset(tmp_path / "mine", TINY)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_rebuild_replaces_an_earlier_build_without_its_manifest(tmp_path):
    out = tmp_path / "demo"
    build_demo_dataset(out, TINY)
    (out / "manifest.csv").unlink()  # what Snakemake does to the rule's output before a rerun
    manifest = build_demo_dataset(out, TINY.model_copy(update={"seed": 1}))
    assert (out / "manifest.csv").is_file() and len(manifest) == 6 * 3 * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_plan_is_deterministic_for_a_seed():
    def plan(seed: int):
        rng = np.random.default_rng(seed)
        people = demo_build.assign_people(6, rng)
        return people, demo_build.split_pairs(demo_build.plan_pairs(people, rng))

    assert plan(0) == plan(0)
    assert plan(0) != plan(1)
    people, splits = plan(0)
    assert [len(splits[s]) for s in SPLITS] == [5, 2, 2]
    assert sorted(v for s in SPLITS for pair in splits[s] for v in pair) == sorted(people)
