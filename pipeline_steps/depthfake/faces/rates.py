"""How well faces were found: the share of frames with a face per video, and face sizes.

A detector that misses small or blurred faces loses whole videos before training; these
tables show it per data set, compression and kind, from the cropping stage's frame indices,
and `check_faces` (the step of the same name) stops the run where a slice lost too many.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from depthfake.storage.files import read_parquet, write_csv

log = logging.getLogger(__name__)
SLICE = ["dataset", "compression", "kind"]
# Face-rate bands of the per-slice summary.
LOW_RATE = 0.5


def video_face_rates(index: pd.DataFrame) -> pd.DataFrame:
    """One row per video: sampled frames, frames with a face, their share, crops kept."""
    grouped = index.groupby([*SLICE, "video"], sort=True)
    rates = grouped.agg(frames=("frame", "size"), with_face=("detected", "sum"),
                        kept=("has_face", "sum"), median_face_side=("face_side", "median"))
    return rates.assign(face_rate=rates["with_face"] / rates["frames"]).reset_index()


def slice_summary(index: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Per (data set, compression, kind), from the frame index and its `video_face_rates`:
    videos, the face rate over frames, videos with no face or under LOW_RATE, videos kept, and
    face sides (frame pixels and share of the frame's shorter side) at the 5th, 50th and 95th
    percentiles."""
    videos = rates.groupby(SLICE)
    faces = index[index["detected"]].assign(
        relative=lambda t: t["face_side"] / t["frame_side"]).groupby(SLICE)
    summary = pd.DataFrame({
        "videos": videos.size(),
        "face_rate": index.groupby(SLICE)["detected"].mean(),
        "no_face": videos["with_face"].apply(lambda s: int((s == 0).sum())),
        f"under_{LOW_RATE:g}": videos["face_rate"].apply(lambda s: int((s < LOW_RATE).sum())),
        "kept": videos["kept"].apply(lambda s: int((s > 0).sum())),
        **{f"side_p{q}": faces["face_side"].quantile(q / 100) for q in (5, 50, 95)},
        "side_share_p50": faces["relative"].median(),
    })
    return summary.reset_index()


def lost_videos(rates: pd.DataFrame) -> pd.DataFrame:
    """The videos of `video_face_rates` left without face crops (crop_faces skipped them: no
    face, or one in fewer than faces.min_face_share of their frames)."""
    return rates.loc[rates["kept"] == 0, [*SLICE, "video", "frames", "face_rate"]]


class FacesLostError(ValueError):
    """A slice lost more of its videos at the face stage than its data set allows."""


def check_face_loss(rates: pd.DataFrame, max_loss: float | None, min_face_share: float
                    ) -> str | None:
    """Raise FacesLostError when more than `max_loss` of the videos of `rates` (one slice)
    are left without face crops, naming each with its face rate; else a line on the videos
    lost, if any (None: none lost). `max_loss` None accepts any loss (missing_faces: skip)."""
    lost = lost_videos(rates)
    if lost.empty:
        return None
    first = lost.iloc[0]
    where, name = f"{first.dataset}/{first.compression}/{first.kind}", first.dataset
    share = len(lost) / len(rates)
    counted = f"{len(lost)} of {len(rates)} videos ({share:.0%}) have no face crops"
    if max_loss is None:
        return f"{where}: {counted}, accepted (datasets.{name}.missing_faces: skip)"
    if share <= max_loss:
        return f"{where}: {counted}, within datasets.{name}.max_face_loss {max_loss:g}"
    videos = "\n".join(f"  - {v.video}: a face in {v.face_rate:.0%} of {v.frames} frames"
                       for v in lost.itertuples())
    raise FacesLostError(
        f"{where}: {counted}, more than datasets.{name}.max_face_loss {max_loss:g} allows; "
        f"the run stops before training. Videos with a face in fewer than faces.min_face_share "
        f"{min_face_share:g} of their frames:\n{videos}\nFind their faces (faces.backend or "
        f"its upsample, at the top level or under datasets.{name}.faces; docs/datasets.md, "
        f"\"Face detection\") or accept the loss with datasets.{name}.missing_faces: skip")


def check_faces(indices: list[Path], max_loss: float | None, min_face_share: float,
                out: Path) -> pd.DataFrame:
    """Check one slice's frame indices (FacesLostError past `max_loss`; None: any loss is
    accepted); write and return its videos without face crops."""
    rates = video_face_rates(pd.concat([read_parquet(p) for p in indices], ignore_index=True))
    if note := check_face_loss(rates, max_loss, min_face_share):
        log.warning(note)
        print(f"face check: {note}", flush=True)  # on the console: the log is a file
    lost = lost_videos(rates)
    write_csv(out, lost)
    log.info("%d of %d videos without face crops", len(lost), len(rates))
    return lost


def low_rate_warnings(summary: pd.DataFrame, floor: float = 0.8) -> list[str]:
    """A line for each slice where faces were found in under `floor` of the frames."""
    return [f"{r.dataset}/{r.compression}/{r.kind}: a face in {r.face_rate:.0%} of frames; "
            f"{r.no_face} of {r.videos} videos have none (faces.backend or its upsample?)"
            for r in summary.itertuples() if r.face_rate < floor]
