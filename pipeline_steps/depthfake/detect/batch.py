"""Scoring a batch of videos with one bundle and writing what it found: per video its
frames' probabilities (CSV and JSON) and page, for the batch an index page and a table of
outcomes. A video that cannot be scored is an outcome with its reason; the others are still
scored. `depthfake detect` and the workflow's `detect` target run it."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from depthfake.bundles.load import Bundle, load_bundle
from depthfake.bundles.threshold import RULE
from depthfake.detect.pages import index_page, video_page
from depthfake.detect.score import FACELESS_RULE, PhaseTimer, VideoScore, VideoScorer
from depthfake.plan.provenance import code_version
from depthfake.settings import DetectSettings
from depthfake.storage.files import write_csv, write_json, write_text

log = logging.getLogger(__name__)
INDEX_PAGE, OUTCOMES = "index.html", "videos.csv"


def folder_name(path: Path) -> str:
    """A video's output folder: its name's safe characters and a digest of its path (unique
    per path, whatever the name holds)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.name)[:60].strip("._") or "video"
    return f"{stem}-{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"


def frame_records(video: VideoScore) -> list[dict]:
    """Per sampled frame: its index, time, whether it had a face and its fake probability
    (None without a face)."""
    return [{"frame": frame, "time_s": time, "has_face": has_face, "prob_fake": prob}
            for frame, time, has_face, prob in zip(video.frames, video.times(), video.has_face,
                                                   video.prob_fake, strict=True)]


def frames_table(video: VideoScore) -> pd.DataFrame:
    return pd.DataFrame(frame_records(video),
                        columns=["frame", "time_s", "has_face", "prob_fake"])


def video_record(video: VideoScore, bundle: Bundle, commit: str, name: str) -> dict:
    return {"video": video.path if name == Path(video.path).name else name, "name": name,
            "outcome": video.outcome,
            "reason": video.reason, "score": video.score, "verdict": video.verdict,
            "threshold": bundle.threshold, "threshold_rule": RULE, "faceless_rule": FACELESS_RULE,
            "aggregation": bundle.preprocessing["aggregation"], "fps": video.fps,
            "frames": frame_records(video),
            "bundle": {"name": bundle.meta["name"], "source": bundle.source,
                       "sha256": bundle.digest, "demo": bundle.is_demo},
            "commit": commit}


def write_video(video: VideoScore, folder: Path, bundle: Bundle, commit: str,
                name: str | None = None) -> None:
    """frames.csv, frames.json and page.html of one video in `folder`, shown under `name`
    (default: its file's; another name also stands for its path in frames.json)."""
    name = name or Path(video.path).name
    with PhaseTimer(video.seconds)("page"):
        write_csv(folder / "frames.csv", frames_table(video))
        write_json(folder / "frames.json", video_record(video, bundle, commit, name))
        write_text(folder / "page.html", video_page(video, name, bundle, commit))


def detect_videos(videos: list[Path], *, bundle: str, settings: DetectSettings, out: Path
                  ) -> list[VideoScore]:
    """Score `videos` with the bundle at `bundle` (folder or hub id) into `out`; returns
    every video's outcome, in order."""
    loaded = load_bundle(bundle)
    scorer = VideoScorer(loaded, settings)
    commit = code_version()
    shown = []  # (outcome, name, page link) per video
    for path in tqdm(videos, desc="detect", unit="video"):
        video = scorer.score(path)
        folder = folder_name(Path(path))
        write_video(video, out / "videos" / folder, loaded, commit)
        log.info("%s: %s", path, video.verdict or f"not scored ({video.reason})")
        shown.append((video, Path(path).name, f"videos/{folder}/page.html"))
    outcomes = pd.DataFrame([{"video": v.path, "outcome": v.outcome, "reason": v.reason,
                              "score": v.score, "verdict": v.verdict,
                              "frames_with_face": v.faced_frames, "frames": len(v.frames),
                              "page": link} for v, _, link in shown])
    write_csv(out / OUTCOMES, outcomes)
    write_text(out / INDEX_PAGE, index_page(shown, loaded, commit))
    return [video for video, _, _ in shown]
