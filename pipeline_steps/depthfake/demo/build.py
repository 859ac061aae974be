"""Assemble the miniature FF++ set: ids, pairs, splits, real and fake clips, videos, manifest."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from depthfake.datasets.base import SPLITS
from depthfake.datasets.ffpp import video_path
from depthfake.datasets.video import write_h264
from depthfake.demo.manipulations import face_height, face_swap, mouth_opening, reenact_mouth
from depthfake.demo.motion import STILL_MOTION, VIDEO_MOTION, frame_face, random_motion
from depthfake.demo.sources import PEOPLE, Footage, load_footage
from depthfake.faces import create_face_detector
from depthfake.settings import REAL_KIND, DemoSettings

log = logging.getLogger(__name__)

FPS = 25
COMPRESSIONS = {"raw": 0, "c40": 40}
REAL_SOURCE = "youtube"  # FF++'s folder of the reals
METHODS = ("FaceSwap", "Face2Face")
STILL_SIZE = (288, 288)
STILL_FACE_WIDTH = (115.0, 135.0)  # dlib box width range of a framed still, pixels
STILL_SHIFT = 10.0  # largest offset of a framed still's face from the centre, pixels
VIDEO_ZOOM = 1.25  # faces ~130 px like the stills'; hides the borders under mild motion
# Marks a folder as a demo build that a rebuild may replace (Snakemake deletes the manifest,
# the rule's output, before rerunning the rule).
BUILD_MARKER = ".depthfake-demo"
MANIFEST_COLUMNS = ["video", "kind", "label", "compression", "split", "person", "source_person",
                    "path"]


@dataclass(frozen=True)
class Clip:
    """One rendered real video: RGB frames and the 68 landmarks of each."""

    frames: list[np.ndarray]
    landmarks: list[np.ndarray]


def bounce(index: int, length: int) -> int:
    """Frame `index` of a clip played forward and backward over `length` frames."""
    period = max(2 * (length - 1), 1)
    index %= period
    return min(index, period - index)


def render_real(footage: Footage, take: int, takes: int, frames: int,
                rng: np.random.Generator) -> Clip:
    """The person's `take`-th of `takes` real clips: a stretch of the video, or the still,
    moved by the shared motion generator."""
    if footage.person.is_video:
        height, width = footage.frames[0].shape[:2]
        size, strength = (width, height), VIDEO_MOTION
        base = cv2.getRotationMatrix2D((width / 2, height / 2), 0.0, VIDEO_ZOOM)
        starts = np.linspace(0, max(len(footage.frames) - frames, 0), takes).round().astype(int)
        sources = [bounce(int(starts[take]) + i, len(footage.frames)) for i in range(frames)]
    else:
        size, strength, sources = STILL_SIZE, STILL_MOTION, [0] * frames
        shift = tuple(rng.uniform(-STILL_SHIFT, STILL_SHIFT, 2))
        base = frame_face(footage.faces[0].box, size, rng.uniform(*STILL_FACE_WIDTH), shift)
    motion = random_motion(rng, frames, FPS, size, base, strength=strength)
    return Clip(
        frames=[motion.render(i, footage.frames[s]) for i, s in enumerate(sources)],
        landmarks=[motion.points(i, footage.faces[s].landmarks) for i, s in enumerate(sources)],
    )


def make_fake(method: str, target: Clip, source: Clip,
              rng: np.random.Generator) -> list[np.ndarray]:
    """Manipulate every frame of the target clip, driven frame by frame by the source clip."""
    if method == "FaceSwap":
        return [face_swap(t, tp, s, sp) for t, tp, s, sp in
                zip(target.frames, target.landmarks, source.frames, source.landmarks, strict=True)]
    opening = mouth_opening(source.landmarks, rng, FPS)
    return [reenact_mouth(frame, points, ratio * face_height(points)) for frame, points, ratio in
            zip(target.frames, target.landmarks, opening, strict=True)]


def assign_people(reals_per_person: int, rng: np.random.Generator) -> dict[str, str]:
    """Real id ("000", ...) to person name, shuffled so ids say nothing about the person."""
    names = [person.name for person in PEOPLE for _ in range(reals_per_person)]
    return {f"{k:03d}": names[j] for k, j in enumerate(rng.permutation(len(names)))}


def plan_pairs(people: dict[str, str], rng: np.random.Generator) -> list[tuple[str, str]]:
    """[target, source] pairs using every real id once, always two different people; each
    round of three pairs joins every two people once, so any run of rounds mixes them all."""
    ids = {person.name: [str(v) for v in rng.permutation(
        [v for v, p in people.items() if p == person.name])] for person in PEOPLE}
    names = [person.name for person in PEOPLE]
    shift = int(rng.integers(len(names)))
    names = names[shift:] + names[:shift]
    combos = [(names[i], names[(i + 1) % len(names)]) for i in range(len(names))]
    pairs = []
    for _ in range(len(ids[names[0]]) // 2):
        for a, b in combos:
            pair = (ids[a].pop(), ids[b].pop())
            pairs.append(pair if rng.random() < 0.5 else pair[::-1])
    return pairs


def split_pairs(pairs: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """Consecutive train/val/test runs of pairs, in FF++'s proportions (5:2:2 of 9 pairs)."""
    held = max(1, round(len(pairs) * 2 / 9))
    train = len(pairs) - 2 * held
    return dict(zip(SPLITS, (pairs[:train], pairs[train:train + held], pairs[train + held:]),
                    strict=True))


def encode(root: Path, kind: str, video: str, frames: list[np.ndarray]) -> None:
    """Write one video in every compression."""
    for compression, crf in COMPRESSIONS.items():
        write_h264(video_path(root, kind, compression, video, REAL_SOURCE), frames, FPS, crf)


def readme(reals_per_person: int, frames_per_clip: int, seed: int) -> str:
    credits = "\n".join(f"- `{person.name}`: {person.credit}." for person in PEOPLE)
    return f"""# Miniature FaceForensics++ demo set

A tiny data set in FaceForensics++'s layout, built offline by `depthfake.demo` (seed {seed},
{reals_per_person} real videos per person, {frames_per_clip} frames per video at {FPS} fps), so
the pipeline can run end to end without the real FF++. It is NOT a benchmark.

## Faces (all shipped inside installed Python packages)
{credits}

Landmarks come from dlib's 68-point model (trained on iBUG 300-W, commonly described as
non-commercial use only).

## Videos
- Reals (`original_sequences/youtube`): stills animated by a smooth pan/zoom/rotation with slow
  brightness/contrast/colour drift, and stretches of the carphone video through the same
  generator (milder motion). Stills are framed at 288x288, the carphone at 352x288; its clips
  are evenly spaced stretches of its 120 frames and overlap when they need more.
- `manipulated_sequences/FaceSwap`: `T_S` puts source S's face (frame i) onto target T's
  frame i: Delaunay piecewise-affine warp of the 68 landmarks, LAB colour transfer,
  `cv2.seamlessClone`.
- `manipulated_sequences/Face2Face`: `T_S` opens target T's mouth along a curve driven by
  source S (its lip motion plus a smooth random curve seeded by S's id), with the same warp.
- Every fake is made from the frames of its target real, so motion and lighting carry no label.
- Compressions: `raw` (H.264 lossless, -qp 0) and `c40` (H.264 CRF 40), as in FF++.

## Splits
`splits/{{train,val,test}}.json` are FF++ pair lists `[target, source]`; a pair brings both
reals and the fakes `T_S` and `S_T` of every method. Video ids never cross splits, but people
do: only three people exist. `manifest.csv` lists every file with its split and people.
"""


def write_dataset(root: Path, reals_per_person: int, frames_per_clip: int, seed: int,
                  workers: int) -> pd.DataFrame:
    """Build the whole set into `root` (an empty folder) and return its manifest."""
    rng = np.random.default_rng(seed)
    people = assign_people(reals_per_person, rng)
    splits = split_pairs(plan_pairs(people, rng))
    detector = create_face_detector("dlib", upsample=0, landmark_model=None)
    footage = {person.name: load_footage(person, detector) for person in PEOPLE}
    takes = {vid: sorted(v for v, p in people.items() if p == people[vid]).index(vid)
             for vid in people}
    reals = {vid: render_real(footage[people[vid]], takes[vid], reals_per_person, frames_per_clip,
                              np.random.default_rng([seed, int(vid)]))
             for vid in people}

    rows = [
        dict(video=vid, kind=kind, split=split, person=people[target],
             source_person="" if kind == REAL_KIND else people[source])
        for split, pairs in splits.items() for pair in pairs
        for target, source in (pair, pair[::-1])
        for kind, vid in [(REAL_KIND, target)] + [(m, f"{target}_{source}") for m in METHODS]
    ]

    def produce(row: dict) -> None:
        target, _, source = row["video"].partition("_")
        if row["kind"] == REAL_KIND:
            frames = reals[target].frames
        else:
            rng = np.random.default_rng([seed, int(source), METHODS.index(row["kind"])])
            frames = make_fake(row["kind"], reals[target], reals[source], rng)
        encode(root, row["kind"], row["video"], frames)

    with ThreadPoolExecutor(max(1, workers)) as pool:
        try:
            list(pool.map(produce, rows))
        except BaseException:
            pool.shutdown(cancel_futures=True)  # fail fast: drop the videos not started
            raise
    log.info("wrote %d videos in %s compressions", len(rows), "/".join(COMPRESSIONS))

    (root / "splits").mkdir(parents=True)
    for split, pairs in splits.items():
        (root / "splits" / f"{split}.json").write_text(json.dumps([list(p) for p in pairs]))
    manifest = pd.DataFrame([
        dict(row, label=int(row["kind"] != REAL_KIND), compression=compression,
             path=video_path(Path(), row["kind"], compression, row["video"],
                             REAL_SOURCE).as_posix())
        for row in rows for compression in COMPRESSIONS
    ], columns=MANIFEST_COLUMNS).sort_values(["kind", "compression", "video"], ignore_index=True)
    manifest.to_csv(root / "manifest.csv", index=False)
    (root / "README.md").write_text(readme(reals_per_person, frames_per_clip, seed))
    (root / BUILD_MARKER).write_text(f"seed {seed}\n")
    return manifest


def build_demo_dataset(out: Path, settings: DemoSettings, workers: int = 2) -> pd.DataFrame:
    """Build the miniature FF++ set at `out`, atomically, and return its manifest.

    Args:
        out: the data set root; an existing folder is replaced only if it is an earlier
            demo build (it holds BUILD_MARKER) or empty.
        settings: real videos per person, frames per video and the seed that everything
            (framing, motion, ids, pairs, mouth curves) follows from.
        workers: threads rendering and encoding videos.
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / BUILD_MARKER).is_file():
        raise FileExistsError(f"{out} exists and is not a demo data set; not replacing it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    start = time.perf_counter()
    try:
        manifest = write_dataset(tmp, settings.reals_per_person, settings.frames_per_clip,
                                 settings.seed, workers)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    log.info("built %d files into %s in %.1f s", len(manifest), out, time.perf_counter() - start)
    return manifest
