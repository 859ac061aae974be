"""The tables' statistics at FF++ test size: the paper's grid of table columns, each through
`column_statistics` as its own job, then the tables step; at two grid sizes, so the growth
with cells shows; and beside the computation before the cluster bootstrap on a slice of it.

Predictions are synthetic, of one seed, at FF++ test size: per column 70 test pairs (each
pair's two real videos and, per forgery, its two fakes; one cluster), 32 frames a video, so a
single-forgery column holds 140 real and 140 fake videos and `ALL` 140 and 560. The columns
are c23 and c40 x Deepfakes, Face2Face, FaceSwap, NeuralTextures and ALL; the models rgb
(depth input none) and mdn (recompute, perturb, zero), each under the default conditions
(clean, every attack at the paper's parameters, every sweep level: 27). A frame's fake
probability is the sigmoid of the model's skill (lower under an attack) toward its label,
plus its cluster's and its video's shift (shared by every model and condition) and noise.

1. new: every column's predictions written to Parquet (as evaluate leaves them), then each
   column a job in a fresh process, --processes at a time, as Snakemake runs one job per
   column: read, `column_statistics` (--resamples replicates), write. Per
   grid size: the wall time (the processes' starts included) until the last job ends, cells,
   cells per second, the longest job, the largest job's peak resident memory and the sum of
   the --processes largest (the most that can be resident at once); then the tables step
   (`make_tables_from_files`) over every column's statistics, its time and peak memory.
2. the slice: the first column under the first --slice-conditions conditions, in one process
   both ways: `column_statistics`, and `previous_statistics`, the computation before this
   change (commit be0aeaf): videos drawn per class with replacement, and every replicate's
   frame-weighted AUC from sorted scores, 100 replicates at a time, one condition at a time.
   The previous way's cells per second, scaled by the faces of each cell, give its time for
   the whole grid in one process (as it ran: one job over every prediction).

Every process does its BLAS work on --threads threads.

Usage: python benchmarks/tables_throughput.py [--conditions 7 27] [--columns 10]
       [--resamples 1000] [--processes 2] [--threads 1] [--pairs 70] [--frames 32]
       [--slice-conditions 3]
Appends one line to docs/records/tables.jsonl (rendered into docs/benchmarks.md
by docs/generate.py).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import tempfile
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from depthfake.evaluation.bootstrap import SHOWN, VIDEO_KEY, column_rng
from depthfake.evaluation.cell_stats import (
    KEY,
    MODEL,
    baseline_of,
    column_statistics,
    seed_summary,
)
from depthfake.evaluation.conditions import CLEAN, conditions
from depthfake.evaluation.metrics import THRESHOLD, video_level
from depthfake.jobs._runtime import limit_threads
from depthfake.reporting.tables import make_tables_from_files
from depthfake.settings import ESTIMATED, BootstrapSettings, MarkSettings, SweepSettings
from depthfake.storage.files import read_parquet, write_parquet

DATASET = "ffpp"  # trained on and tested on: the layout that names the clusters
BACKBONE = "efficientnet_b0"
COMPRESSIONS = ["c23", "c40"]
FORGERIES = ["Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures"]
COLUMNS = [(c, f) for c in COMPRESSIONS for f in [*FORGERIES, "ALL"]]
# (model, depth backend, depth input): how far its logits lean toward the label, clean
SKILL = {("rgb", "none", "none"): 1.2, ("mdn", "landmark_mesh", "recompute"): 1.4,
         ("mdn", "landmark_mesh", "perturb"): 1.3, ("mdn", "landmark_mesh", "zero"): 0.5}
DEPTH_MODES = ["recompute", "perturb"]
ROWS = ["rgb/efficientnet_b0/none", "mdn/efficientnet_b0/landmark_mesh"]
BLOCK = 100  # the previous way's replicates per block


def peak_mb() -> float:
    """This process's peak resident memory so far, MB: VmHWM where Linux has it (ru_maxrss
    would keep the parent's peak across the spawn's exec), else ru_maxrss (KiB on Linux)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def column_faces(forgery: str, pairs: int, frames: int) -> pd.DataFrame:
    """A column's test faces: per test pair (a, b) the reals a and b and, per forgery, the
    fakes a_b and b_a, one cluster; `frames` frames each."""
    kinds = FORGERIES if forgery == "ALL" else [forgery]
    videos = []
    for pair in range(pairs):
        a, b = f"{2 * pair:03d}", f"{2 * pair + 1:03d}"
        videos += [(v, "real", f"{a}_{b}") for v in (a, b)]
        videos += [(v, kind, f"{a}_{b}") for kind in kinds for v in (f"{a}_{b}", f"{b}_{a}")]
    table = pd.DataFrame(videos, columns=["video", "kind", "cluster"])
    table["label"] = (table["kind"] != "real").astype(np.int64)
    faces = table.loc[table.index.repeat(frames)].reset_index(drop=True)
    return faces.assign(frame=np.tile(np.arange(frames), len(table)))


def column_predictions(column: tuple[str, str], names: list[str], pairs: int, frames: int
                       ) -> pd.DataFrame:
    """Every model's predictions of one column's faces under each condition of `names`."""
    compression, forgery = column
    faces = column_faces(forgery, pairs, frames)
    rng = np.random.default_rng([zlib.crc32(part.encode()) for part in column])
    clusters = faces["cluster"].factorize()[0]
    videos = pd.MultiIndex.from_frame(faces[VIDEO_KEY]).factorize()[0]
    shift = rng.normal(0, 0.6, clusters.max() + 1)[clusters] + rng.normal(
        0, 0.6, videos.max() + 1)[videos]
    toward = 2.0 * faces["label"].to_numpy() - 1
    parts = []
    for condition in names:
        kept = 1.0 if condition == CLEAN else rng.uniform(0.3, 0.9)  # skill an attack leaves
        for (model, depth, mode), skill in SKILL.items():
            logits = kept * skill * toward + shift + rng.normal(0, 1.0, len(faces))
            lost = (rng.uniform(size=len(faces)) < 0.05) & (mode == "recompute")
            # as evaluate writes them: perturb's clean faces are the stored maps' (estimated)
            depth_input = ESTIMATED if (mode, condition) == ("perturb", CLEAN) else mode
            parts.append(faces.assign(
                dataset=DATASET, test_dataset=DATASET, compression=compression,
                test_compression=compression, forgery=forgery, model=model, backbone=BACKBONE,
                depth=depth, seed=0, condition=condition, depth_input=depth_input,
                depth_lost=lost, prob_fake=(1 / (1 + np.exp(-logits))).astype(np.float32)))
    return pd.concat(parts, ignore_index=True)


def start_worker(threads: int) -> None:
    """A worker's threads: BLAS reads its environment (set before the pool starts), cv2 is
    capped here."""
    limit_threads(threads)


def write_column(column: tuple[str, str], names: list[str], pairs: int, frames: int,
                 out: Path) -> int:
    """The evaluate step's part: one column's predictions as a Parquet file; their rows."""
    predictions = column_predictions(column, names, pairs, frames)
    write_parquet(out, predictions)
    return len(predictions)


def statistics_job(predictions: Path, out: Path, resamples: int) -> dict:
    """The column_statistics step of one column; its seconds, cells and the worker's peak."""
    start = time.perf_counter()
    statistics = column_statistics(read_parquet(predictions),
                                   BootstrapSettings(resamples=resamples))
    write_parquet(out, statistics)
    return {"seconds": time.perf_counter() - start, "cells": len(statistics),
            "faces": int(statistics["faces"].sum()), "peak_mb": peak_mb()}


def tables_job(statistics: list[Path], columns: list[tuple[str, str]], out: Path) -> dict:
    """The tables step over every column's statistics; its seconds and peak memory."""
    start = time.perf_counter()
    make_tables_from_files(
        statistics, rows=ROWS, test_datasets=[DATASET],
        compressions=list(dict.fromkeys(c for c, _ in columns)),
        forgeries=list(dict.fromkeys(f for _, f in columns)), depth_modes=DEPTH_MODES,
        out_dir=out, layouts={DATASET: DATASET}, marks=MarkSettings())
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb()}


# The computation before this change (commit be0aeaf), the reference of the slice.

def previous_draws(labels: np.ndarray, resamples: int, rng: np.random.Generator
                   ) -> np.ndarray:
    """(resamples, videos): each video's draws, the videos of each class drawn with
    replacement as many times as the class has videos."""
    counts = np.zeros(resamples * len(labels))
    offsets = np.arange(resamples)[:, None] * len(labels)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        drawn = members[rng.integers(0, len(members), (resamples, len(members)))]
        counts += np.bincount((offsets + drawn).ravel(), minlength=len(counts))
    return counts.reshape(resamples, len(labels))


def previous_auc(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per replicate (a row of `weights`, one per item): the weighted Mann-Whitney AUC, ties
    half, from the items sorted by score; NaN without both classes."""
    order = np.argsort(scores, kind="stable")
    labels, weights = labels[order], weights[:, order]
    ties = np.flatnonzero(np.r_[True, np.diff(scores[order]) != 0])
    fake = np.add.reduceat(weights * (labels == 1), ties, axis=1)
    real = np.add.reduceat(weights * (labels == 0), ties, axis=1)
    below = np.cumsum(real, axis=1) - real / 2
    pairs = fake.sum(axis=1) * real.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, (fake * below).sum(axis=1) / pairs, np.nan)


def previous_metrics(frames: pd.DataFrame, videos: pd.MultiIndex, draws: np.ndarray
                     ) -> dict[str, np.ndarray]:
    """One model's shown metrics on every replicate of video draws (resamples, videos), a
    block of BLOCK replicates at a time: each frame weighted by its video's draws."""
    position = videos.get_indexer(pd.MultiIndex.from_frame(frames[VIDEO_KEY]))
    labels, scores = frames["label"].to_numpy(), frames["prob_fake"].to_numpy(np.float64)
    correct = ((scores >= THRESHOLD) == (labels == 1)).astype(np.float64)
    per_video = video_level(frames)
    video_position = videos.get_indexer(pd.MultiIndex.from_frame(per_video[VIDEO_KEY]))
    video_labels = per_video["label"].to_numpy()
    video_scores = per_video["prob_fake"].to_numpy(np.float64)
    parts = []
    for start in range(0, len(draws), BLOCK):
        block = draws[start:start + BLOCK]
        weights = block[:, position]
        parts.append((weights @ correct / weights.sum(axis=1),
                      previous_auc(labels, scores, weights),
                      previous_auc(video_labels, video_scores, block[:, video_position])))
    return {m: np.concatenate([p[i] for p in parts]) for i, m in enumerate(SHOWN)}


def percentile_interval(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    return tuple(np.percentile(finite, [2.5, 97.5])) if len(finite) else (np.nan, np.nan)


def previous_statistics(predictions: pd.DataFrame, resamples: int) -> pd.DataFrame:
    """Each cell's seed summary with the previous way's 95 % percentile intervals of its
    shown metrics and of their paired differences from the RGB baseline."""
    summary = seed_summary(predictions).set_index(KEY)
    rows = {}
    for column, part in predictions.groupby(["dataset", "test_dataset", "compression",
                                             "forgery"], sort=False):
        for condition, frames in part.groupby("condition", sort=False):
            per_video = frames.groupby(VIDEO_KEY, sort=True)["label"].first()
            draws = previous_draws(per_video.to_numpy(), resamples,
                                   column_rng(0, column))
            values = {model: [previous_metrics(f, per_video.index, draws)
                              for _, f in runs.groupby("seed", sort=True)]
                      for model, runs in frames.groupby(MODEL, sort=False)}
            values = {model: {m: np.mean([s[m] for s in seeds], axis=0) for m in SHOWN}
                      for model, seeds in values.items()}
            for model, metrics in values.items():
                base = values.get(baseline_of(model)) if baseline_of(model) != model else None
                cell = {}
                for m in SHOWN:
                    cell[f"{m}_low"], cell[f"{m}_high"] = percentile_interval(metrics[m])
                    cell[f"{m}_delta_low"], cell[f"{m}_delta_high"] = (
                        (np.nan, np.nan) if base is None
                        else percentile_interval(metrics[m] - base[m]))
                rows[(*column, *model, condition)] = cell
    intervals = pd.DataFrame(list(rows.values()), index=pd.MultiIndex.from_tuples(rows, names=KEY))
    return summary.join(intervals).reset_index()


def slice_job(column: tuple[str, str], names: list[str], pairs: int, frames: int,
              resamples: int) -> dict:
    """The slice, in one process: both ways' seconds, cells, faces over the cells, and the
    memory its predictions take."""
    cells = column_predictions(column, names, pairs, frames)
    start = time.perf_counter()
    new = column_statistics(cells, BootstrapSettings(resamples=resamples))
    new_seconds = time.perf_counter() - start
    start = time.perf_counter()
    previous = previous_statistics(cells, resamples)
    previous_seconds = time.perf_counter() - start
    assert len(previous) == len(new)
    return {"new_s": new_seconds, "previous_s": previous_seconds, "cells": len(new),
            "faces": int(new["faces"].sum()),
            "bytes_per_row": cells.memory_usage(deep=True).sum() / len(cells)}


def run_grid(folder: Path, columns: list[tuple[str, str]], names: list[str], args,
             context) -> dict:
    """The columns' Parquet predictions written, then every column_statistics job in a fresh
    pool, then the tables step in a process of its own."""
    folder.mkdir()
    files = [folder / f"predictions_{c}_{f}.parquet" for c, f in columns]
    pool = dict(max_workers=args.processes, mp_context=context, initializer=start_worker,
                initargs=(args.threads,))
    start = time.perf_counter()
    with ProcessPoolExecutor(**pool) as workers:
        rows = sum(workers.map(write_column, columns, [names] * len(columns),
                               [args.pairs] * len(columns), [args.frames] * len(columns),
                               files))
    setup = time.perf_counter() - start
    outputs = [folder / f"statistics_{c}_{f}.parquet" for c, f in columns]
    start = time.perf_counter()
    with ProcessPoolExecutor(**pool, max_tasks_per_child=1) as workers:  # a process a job
        jobs = list(workers.map(statistics_job, files, outputs, [args.resamples] * len(files)))
        wall = time.perf_counter() - start  # the last job's end, not the pool's
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=start_worker,
                             initargs=(args.threads,)) as worker:
        tables = worker.submit(tables_job, outputs, columns, folder / "tables").result()
    peaks = sorted((job["peak_mb"] for job in jobs), reverse=True)
    cells = sum(job["cells"] for job in jobs)
    return {"conditions": len(names), "columns": len(columns), "cells": cells,
            "prediction_rows": rows, "faces": sum(job["faces"] for job in jobs),
            "setup_s": round(setup, 2), "wall_s": round(wall, 2),
            "cells_per_s": round(cells / wall, 1),
            "longest_job_s": round(max(job["seconds"] for job in jobs), 2),
            "job_s": round(sum(job["seconds"] for job in jobs), 2),
            "job_peak_mb": round(peaks[0], 1),
            "concurrent_peak_mb": round(sum(peaks[:args.processes]), 1),
            "tables_s": round(tables["seconds"], 2), "tables_peak_mb": round(tables["peak_mb"], 1)}


def print_table(header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        print("  ".join(str(x).rjust(w) for x, w in zip(row, widths, strict=True)))


def main() -> None:
    # Imported here, not at the top: the workers (spawned, so they import this file) then
    # load no torch, as the column_statistics job does not.
    from records import benchmark_device, benchmark_parser, write_record

    parser = benchmark_parser(__doc__)
    parser.add_argument("--conditions", type=int, nargs="+", default=[7, 27],
                        help="grid sizes: the first N of the default conditions each")
    parser.add_argument("--columns", type=int, default=len(COLUMNS),
                        help=f"the first N of the {len(COLUMNS)} columns")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2, help="column jobs at a time")
    parser.add_argument("--pairs", type=int, default=70, help="test pairs (clusters) a column")
    parser.add_argument("--frames", type=int, default=32, help="frames a video")
    parser.add_argument("--slice-conditions", type=int, default=3,
                        help="conditions of the slice both ways run (on the first column)")
    parser.set_defaults(device="cpu", threads=1)
    args = parser.parse_args()
    device = benchmark_device(args)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(args.threads)  # read by the BLAS of each spawned worker
    context = multiprocessing.get_context("spawn")
    every = conditions(SweepSettings())
    columns = COLUMNS[:args.columns]
    grids = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.conditions:
            grids.append(run_grid(Path(folder) / f"grid{size}", columns, every[:size], args,
                                  context))
            g = grids[-1]
            print(f"new way, {g['columns']} columns x {g['conditions']} conditions: "
                  f"{g['cells']:,} cells in {g['wall_s']:.1f} s on {args.processes} processes; "
                  f"tables step {g['tables_s']:.1f} s", flush=True)
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=start_worker,
                             initargs=(args.threads,)) as worker:
        part = worker.submit(slice_job, columns[0], every[:args.slice_conditions], args.pairs,
                             args.frames, args.resamples).result()
    largest = max(grids, key=lambda g: g["cells"])
    previous_grid = part["previous_s"] * largest["faces"] / part["faces"]  # grows with faces
    memory = part["bytes_per_row"] * largest["prediction_rows"] / 2**30
    compared = {
        "column": " ".join(columns[0]), "conditions": args.slice_conditions,
        "cells": part["cells"], "previous_s": round(part["previous_s"], 2),
        "previous_cells_per_s": round(part["cells"] / part["previous_s"], 2),
        "new_s": round(part["new_s"], 2),
        "new_cells_per_s": round(part["cells"] / part["new_s"], 2),
        "speedup": round(part["previous_s"] / part["new_s"], 1),
        "grid_cells": largest["cells"], "previous_grid_s": round(previous_grid, 1),
        "previous_grid_gb": round(memory, 2)}
    parent = peak_mb()
    print_table(["conditions", "columns", "cells", "wall s", "cells/s", "longest job s",
                 "job peak MB", f"{args.processes} jobs' peaks MB", "tables s",
                 "tables peak MB"],
                [[g["conditions"], g["columns"], g["cells"], g["wall_s"], g["cells_per_s"],
                  g["longest_job_s"], g["job_peak_mb"], g["concurrent_peak_mb"], g["tables_s"],
                  g["tables_peak_mb"]] for g in grids])
    print(f"slice {compared['column']} x {args.slice_conditions} conditions ({part['cells']} "
          f"cells), one process: previous way (be0aeaf) {part['previous_s']:.2f} s = "
          f"{compared['previous_cells_per_s']:,.2f} cells/s; new way {part['new_s']:.2f} s = "
          f"{compared['new_cells_per_s']:,.2f} cells/s ({compared['speedup']:g}x)")
    print(f"previous way on the {largest['cells']:,} cells, scaled by their faces, in one "
          f"process as it ran: {previous_grid:,.1f} s, over one frame of every prediction "
          f"({memory:.2f} GB); new way measured: {largest['wall_s']:.1f} s on "
          f"{args.processes} processes. Parent (this script, with torch) peak {parent:,.0f} MB",
          flush=True)
    write_record(args, "tables", device, {
        "resamples": args.resamples, "pairs": args.pairs, "frames": args.frames,
        "processes": args.processes, "parent_peak_mb": round(parent, 1), "rows": grids,
        "slice": compared})


if __name__ == "__main__":
    main()
