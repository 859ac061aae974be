"""`depthfake detect`: a batch of good and bad videos, each its own outcome; frames as asked;
detection on downscaled frames; the bundle's depth model supplied or refused; pages that show
every name as text and render in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from depthfake.bundles import BundleError, load_bundle
from depthfake.datasets.video import write_h264
from depthfake.detect.batch import detect_videos, folder_name
from depthfake.detect.score import NOT_SCORED, SCORED, VideoScorer, on_device
from depthfake.faces import create_face_detector, largest_face
from depthfake.faces.downscaled import DownscaledDetector
from depthfake.reporting.browser_check import CHROMIUM, check_pages
from depthfake.settings import DepthBackendOptions, DetectSettings, FaceSettings, FrameSettings
from depthfake.storage.files import file_sha256, read_csv
from depthfake.synthetic.bundle import write_random_bundle
from depthfake.synthetic.depth_model import save_random_depth_anything
from depthfake.synthetic.hub_cache import cache_as_download
from depthfake.synthetic.videos import face_frames

from conftest import REPO
from hostile_names import HOSTILE_NAMES, parse_page

HOSTILE = "<img src=x onerror=alert(1)>"
# The elements a detection page may hold: document structure, inline images and page links.
DETECT_ELEMENTS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p",
                   "hr", "table", "thead", "tbody", "tr", "th", "td", "code", "span", "div",
                   "figure", "figcaption", "img", "a"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return write_random_bundle(tmp_path_factory.mktemp("bundle") / "mdn", crop_size=48,
                               frames=FrameSettings(per_video=4))


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict[str, Path]:
    """A face video under every hostile name, and unreadable, face-less, one-frame and 4K
    files."""
    folder = tmp_path_factory.mktemp("videos")
    face = folder / "face.mp4"
    write_h264(face, face_frames(6, 256, 256, seed=0), fps=25, crf=18)
    videos = {"face": face}
    for number, name in enumerate(HOSTILE_NAMES):
        videos[name] = shutil.copyfile(face, folder / f"{name}.mp4")
        assert number < 10
    videos["unreadable"] = folder / "broken.mp4"
    videos["unreadable"].write_bytes(face.read_bytes()[:3000])
    rng = np.random.default_rng(0)
    write_h264(folder / "faceless.mp4", [rng.integers(0, 255, (128, 128, 3), np.uint8)
                                         for _ in range(6)], fps=25, crf=18)
    videos["faceless"] = folder / "faceless.mp4"
    write_h264(folder / "one-frame.mp4", face_frames(1, 256, 256, seed=1), fps=25, crf=18)
    videos["one frame"] = folder / "one-frame.mp4"
    write_h264(folder / "4k.mp4", face_frames(2, 2160, 3840, seed=2, face_side=500), fps=25,
               crf=30)
    videos["4K"] = folder / "4k.mp4"
    return videos


def run_detect(videos: list[Path], bundle: Path, out: Path, *options: str
               ) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "depthfake.commands.cli", "detect", *map(str, videos),
         "--model", str(bundle), "--out", str(out), *options],
        capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=str(REPO / "pipeline_steps")))


@pytest.fixture(scope="module")
def detected(batch, bundle, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("detections")
    result = run_detect(list(batch.values()), bundle, out)
    return out, result


def page_of(out: Path, video: Path) -> Path:
    return out / "videos" / folder_name(video) / "page.html"


def test_each_bad_file_is_its_own_outcome_and_the_others_are_scored(batch, detected):
    out, result = detected
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = read_csv(out / "videos.csv").set_index("video")
    assert len(outcomes) == len(batch)
    reasons = {key: outcomes.loc[str(path), "reason"] for key, path in batch.items()
               if outcomes.loc[str(path), "outcome"] == NOT_SCORED}
    assert reasons.keys() == {"unreadable", "faceless", "one frame"}
    assert reasons["unreadable"].startswith("unreadable: ")
    assert reasons["faceless"] == "no face in any of 4 sampled frames"
    assert reasons["one frame"] == "a face in only 1 of 1 sampled frames (min_face_frames 2)"
    scored = outcomes[outcomes["outcome"] == SCORED]
    assert scored["score"].between(0, 1).all() and set(scored["verdict"]) <= {"fake", "real"}
    assert outcomes.loc[str(batch["4K"]), "frames_with_face"] == 2
    assert f"{len(batch) - 3} of {len(batch)} videos scored" in result.stdout


def test_per_frame_probabilities_mark_faceless_frames_and_give_the_mean(batch, detected, bundle):
    out, _ = detected
    record = json.loads((page_of(out, batch["face"]).parent / "frames.json").read_text())
    frames = pd.read_csv(page_of(out, batch["face"]).parent / "frames.csv", comment="#")
    assert frames["frame"].tolist() == [0, 2, 3, 5]  # the bundle's 4 evenly spaced frames
    assert frames["time_s"].tolist() == pytest.approx([0, 0.08, 0.12, 0.2])
    assert record["score"] == pytest.approx(frames["prob_fake"].mean())
    threshold = load_bundle(bundle).threshold
    assert record["verdict"] == ("fake" if record["score"] >= threshold else "real")
    assert record["threshold"] == threshold and "left out" in record["faceless_rule"]
    faceless = pd.read_csv(page_of(out, batch["faceless"]).parent / "frames.csv", comment="#")
    assert not faceless["has_face"].any() and faceless["prob_fake"].isna().all()
    for path in out.glob("videos/*/frames.json"):  # strict JSON: no NaN
        assert "NaN" not in path.read_text(), path
    strict = json.loads((page_of(out, batch["faceless"]).parent / "frames.json").read_text())
    assert [f["prob_fake"] for f in strict["frames"]] == [None] * 4


def test_every_name_is_text_on_both_pages(batch, detected):
    out, _ = detected
    index = (out / "index.html").read_text()
    parsed_index = parse_page(index)
    for name in HOSTILE_NAMES:
        page = page_of(out, batch[name]).read_text()
        for text in (page, index):
            parsed = parse_page(text)
            assert f"{name}.mp4" in parsed.text
            assert {tag for tag, _ in parsed.elements} <= DETECT_ELEMENTS
            for tag, attributes in parsed.elements:
                values = dict(attributes)
                assert not any(key.startswith("on") for key in values), (tag, attributes)
                if tag == "img":
                    assert values["src"].startswith("data:image/png;base64,")
                if tag == "a":
                    assert values["href"].startswith("videos/") and ":" not in values["href"]
    assert HOSTILE not in index and f"{HOSTILE}.mp4" in parsed_index.text


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_the_pages_render_in_chromium_without_scripts_or_requests(batch, detected):
    out, _ = detected
    pages = [page_of(out, batch[key]) for key in ("face", HOSTILE, "unreadable")]
    checks = check_pages([*pages, out / "index.html"])
    assert all(check.ok for check in checks), [check.watch for check in checks]
    face, hostile, unreadable, index = checks
    # timeline, then crop, depth and two streams' Grad-CAM of the two frames shown
    assert face.images == hostile.images == 1 + 2 * 4 and face.broken_images == 0
    assert unreadable.images == 0 and "could not score: unreadable" in unreadable.text
    assert f"{HOSTILE}.mp4" in hostile.text and f"{HOSTILE}.mp4" in index.text
    assert "verdicts mean nothing" in index.text and index.tables >= 2


def test_the_exit_status_is_an_error_only_when_nothing_was_scored(batch, bundle, tmp_path):
    result = run_detect([batch["unreadable"], batch["faceless"]], bundle, tmp_path)
    assert result.returncode == 1 and "0 of 2 videos scored" in result.stdout
    assert (tmp_path / "index.html").is_file()
    missing = run_detect([batch["face"]], tmp_path / "no-bundle", tmp_path / "x")
    assert missing.returncode == 1 and "neither a folder nor a hub id" in missing.stderr


def test_frames_and_stride_sample_more_frames_than_the_bundle(batch, bundle, tmp_path):
    loaded = load_bundle(bundle)
    for settings, frames in ((DetectSettings(frames=6), [0, 1, 2, 3, 4, 5]),
                             (DetectSettings(stride=2), [0, 2, 4]),
                             (DetectSettings(frames=2, stride=2), [0, 2])):
        scored = VideoScorer(loaded, settings).score(batch["face"])
        assert scored.frames == frames and scored.outcome == SCORED


def test_frames_larger_than_max_side_are_detected_downscaled_and_cropped_full(astronaut):
    frame = face_frames(1, 720, 1280, seed=3, face_side=200)[0]
    detector = create_face_detector("dlib", upsample=0, landmark_model=None)
    full = largest_face(detector.detect(frame))
    small = DownscaledDetector(detector, max_side=640)
    assert small.scale(frame.shape) == 0.5
    found = largest_face(small.detect_batch(frame[None])[0])
    assert np.abs(found.box - full.box).max() <= 0.1 * (full.box[2] - full.box[0])  # HOG scales
    assert np.abs(found.landmarks - full.landmarks).mean() <= 3.0
    assert DownscaledDetector(detector, max_side=1280).detect_batch(frame[None])[0][0].box \
        .tolist() == full.box.tolist()  # no larger than max_side: unchanged


def test_a_missing_depth_model_says_how_to_supply_it(batch, tmp_path, monkeypatch):
    model = save_random_depth_anything(tmp_path / "tiny-depth", "tiny")
    options = DepthBackendOptions(depth_anything={"model": str(model), "input_size": 28,
                                                  "device": "cpu"})
    bundle = load_bundle(write_random_bundle(tmp_path / "bundle", crop_size=48,
                                             depth_backend="depth_anything", depth=options,
                                             frames=FrameSettings(per_video=3)))
    moved = shutil.move(model, tmp_path / "moved-depth")
    with pytest.raises(BundleError, match="--depth-model"):
        VideoScorer(bundle, DetectSettings())
    scored = VideoScorer(bundle, DetectSettings(depth_model=str(moved))).score(batch["face"])
    assert scored.outcome == SCORED and len(scored.explained[0].maps) == 2
    other = save_random_depth_anything(tmp_path / "other-depth", "tiny", seed=1)
    with pytest.raises(BundleError, match="not the bundle's: weights_sha256"):
        VideoScorer(bundle, DetectSettings(depth_model=str(other)))
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    cache_as_download(Path(moved), tmp_path / "hub", "lab/depth")
    with pytest.raises(BundleError, match="cannot be checked: give a folder of those weights"):
        VideoScorer(bundle, DetectSettings(depth_model="lab/depth"))  # named by revision


def test_the_library_call_and_the_command_agree(batch, bundle, detected, tmp_path):
    out, _ = detected
    results = detect_videos([batch["face"]], bundle=str(bundle), settings=DetectSettings(),
                            out=tmp_path)
    written = pd.read_csv(page_of(out, batch["face"]).parent / "frames.csv", comment="#")
    assert results[0].prob_fake == pytest.approx(written["prob_fake"].tolist(), abs=1e-6)


def test_the_screenshot_in_docs_and_its_check_were_made_together():
    """docs/detect.png and docs/detect-check.json come from one browser check of a detection
    (docs/detect.md's command), whose pages all rendered cleanly."""
    summary = json.loads((REPO / "docs" / "detect-check.json").read_text())
    assert summary["screenshot"] == {"file": "detect.png",
                                     "sha256": file_sha256(REPO / "docs" / "detect.png")}
    assert summary["ok"] and any(page["images"] >= 5 for page in summary["pages"])
    assert summary["pages"][-1]["page"] == "index.html"


def test_the_face_backend_runs_on_the_scoring_device():
    trained = FaceSettings(backend="face_alignment", face_alignment={"device": "cuda"})
    assert on_device(trained, "cpu").face_alignment.device == "cpu"
    assert on_device(trained, "cpu").face_alignment.batch_size == trained.face_alignment.batch_size
    dlib = FaceSettings(backend="dlib")
    assert on_device(dlib, "cpu") == dlib  # no device to set
