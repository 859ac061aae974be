"""Write measured results into README.md, from results/, with machine and commit.

Usage, after a run of the demo (wall seconds from `/usr/bin/time`, speed from the CPU
calibration run on the idle machine) and/or of benchmarks/depth_throughput.py:

    python benchmarks/readme_results.py [--wall-seconds 229 --speed 166]

Replaces the text between `<!-- demo-results:begin -->` and `<!-- demo-results:end -->` (with
--wall-seconds and --speed), and between `<!-- depth-throughput:begin -->` and
`<!-- depth-throughput:end -->` (from results/throughput/depth_*.json, when there are any), and
the train-, loader-, frames- and faces-throughput and face-rate sections likewise
(results/throughput/{train,loader,frames,faces,face_rates}_*.json).
With --seeds, the demo's tables (after the several-seed run the README documents) go into the
`<!-- demo-seeds:begin -->` section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from depthfake.evaluation.attacks import CLEAN
from depthfake.evaluation.metrics import cell_metrics
from depthfake.reporting.text import DEPTH_MODE_CAPTION
from depthfake.settings import ZERO_DEPTH
from depthfake.storage.files import read_parquet

from stage_times import stage_times

DEMO_MARKERS = ("<!-- demo-results:begin -->", "<!-- demo-results:end -->")
DEPTH_MARKERS = ("<!-- depth-throughput:begin -->", "<!-- depth-throughput:end -->")
TRAIN_MARKERS = ("<!-- train-throughput:begin -->", "<!-- train-throughput:end -->")
LOADER_MARKERS = ("<!-- loader-throughput:begin -->", "<!-- loader-throughput:end -->")
FRAMES_MARKERS = ("<!-- frames-throughput:begin -->", "<!-- frames-throughput:end -->")
FACES_MARKERS = ("<!-- faces-throughput:begin -->", "<!-- faces-throughput:end -->")
FACE_RATES_MARKERS = ("<!-- face-rates:begin -->", "<!-- face-rates:end -->")
SEEDS_MARKERS = ("<!-- demo-seeds:begin -->", "<!-- demo-seeds:end -->")
EVALUATE_MARKERS = ("<!-- evaluate-throughput:begin -->", "<!-- evaluate-throughput:end -->")
GRADCAM_MARKERS = ("<!-- gradcam-throughput:begin -->", "<!-- gradcam-throughput:end -->")
BUDGET = 48_000


def cpu_model() -> str:
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or platform.machine()


def machine() -> str:
    """CPU model, core count, operating system."""
    return f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()}"


def table_section(path: Path, title: str) -> str:
    """The Markdown table under the section `## <title>` of a table file."""
    text = path.read_text().split("\n---\n")[0]
    return text.split(f"\n## {title}\n")[1].split("\n## ")[0].strip()


def table_notes(path: Path) -> str:
    """A table file's notes: the paragraph under its title."""
    return path.read_text().split("\n\n")[1].strip()


def provenance(path: Path) -> str:
    return path.read_text().split("\n---\n")[1].strip()


def demo_settings(results: Path, dataset: str) -> str:
    """What the models were trained on and with, from the newest checkpoint JSON."""
    newest = max((results / "models" / dataset).rglob("*.json"), key=lambda p: p.stat().st_mtime)
    record = json.loads(newest.read_text())
    frames, faces = record["preprocessing"]["frames"], record["preprocessing"]["faces"]
    settings = record["settings"]
    start = "ImageNet weights" if settings["pretrained"] else "scratch"
    return (f"{frames['per_video']} frames per video, {faces['crop_size']} px crops, "
            f"`{record['config']['backbone']}` trained from {start} with "
            f"{settings['optimizer']} for {settings['epochs']} epochs")


def results_section(results: Path, dataset: str, wall: float, speed: float) -> str:
    detection = results / "tables" / dataset / "detection.md"
    times = stage_times(results / "benchmarks")
    return "\n".join([
        f"Measured on {machine()}, no GPU.", "",
        f"The main command's `snakemake --cores all` and `snakemake --report report.html` on a "
        f"fresh clone: **{wall:.0f} s** ({int(times['jobs'].sum())} jobs with a `benchmark:` "
        "file, the per-slice face checks, and the summary jobs: face report, depth figure, "
        "Grad-CAM, tables, figures and skips); "
        f"x CPU speed {speed:g} "
        f"(`python ../shared/tools/cpu-calib.py`, idle machine) = **{wall * speed:,.0f}** "
        f"units, {'within' if wall * speed <= BUDGET else 'over'} the demo budget of "
        f"{BUDGET:,}. Per stage, from the `benchmark:` files "
        "(`python benchmarks/stage_times.py`; jobs run two at a time):", "",
        times.to_markdown(), "",
        f"The demo models ({demo_settings(results, dataset)}) gave "
        f"`results/tables/{dataset}/detection.md` (which then gives the ALL cells' accuracy "
        "per kind):", "",
        table_section(detection, "Clean test set"), "",
        table_notes(detection), "",
        *robustness_excerpt(results, dataset, "CMB (the paper's parameters)"),
        f"Provenance of these numbers: {provenance(detection)}.",
    ])


def robustness_excerpt(results: Path, dataset: str, section: str) -> list[str]:
    """One section of every depth mode's robustness table, with its mode's caption."""
    lines = []
    for path in sorted((results / "tables" / dataset).glob("robustness_*.md")):
        mode = path.stem.removeprefix("robustness_")
        lines += [f"`results/tables/{dataset}/{path.name}`, {section} (depth mode `{mode}`; "
                  f"{DEPTH_MODE_CAPTION[mode]}):", "",
                  table_section(path, section), ""]
    return lines


def depth_section(records: list[dict]) -> str:
    """The depth stage's crops/s beside the bare model's, one row per benchmark run."""
    rows = ["| device | precision | crops -> input px | batch | crops | bare model crops/s "
            "| depth stage crops/s | stage / bare | host | code |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        rows.append(f"| {r['device']} | {r['precision']} | {r['crop_size']} -> "
                    f"{r['input_size']} | {r['batch_size']} | {r['crops']} | "
                    f"{r['bare_crops_per_s']:,.1f} | {r['stage_crops_per_s']:,.1f} | "
                    f"{r['ratio']:.2f}x | {r['machine']}, {r['threads']} threads | "
                    f"{r['provenance']['code']} |")
    models = sorted({r["model"] for r in records})
    return "\n".join([f"Model: {', '.join(models)}; `python benchmarks/depth_throughput.py`.",
                       "", *rows])


def runs_section(records: list[dict], columns: list[str], row: Callable[[dict], list],
                 caption: Callable[[dict], str]) -> str:
    """One captioned table per benchmark run: `row` gives a result row's cells."""
    parts = []
    for r in records:
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(map(str, row(x))) + " |" for x in r["rows"]]
        parts += [f"{caption(r)}; {r['machine']}, {r['threads']} threads; code "
                  f"{r['provenance']['code']}:", "", *lines, ""]
    return "\n".join(parts).strip()


def evaluate_section(records: list[dict]) -> str:
    """The evaluation stage per depth input beside the bare detector, one table per run."""
    return runs_section(
        records, ["model", "depth input", "bare model faces/s", "evaluation faces/s",
                  "evaluation / bare", "landmarks lost"],
        lambda x: [x["model"], x["depth_input"], f"{x['bare_faces_per_s']:,.1f}",
                   f"{x['stage_faces_per_s']:,.1f}", f"{x['ratio']:.3f}x", x["depth_lost"]],
        lambda r: f"`python benchmarks/evaluate_throughput.py --faces {r['faces']}`: "
                  f"`{r['backbone']}`, {r['crop_size']} px crops, batch {r['batch_size']}, "
                  f"under {r['attack']}; {r['device']}")


def gradcam_section(records: list[dict]) -> str:
    """Grad-CAM per detector beside the bare forward and backward pass, one table per run."""
    return runs_section(
        records, ["model", "streams", "bare forward+backward faces/s", "ceiling faces/s",
                  "Grad-CAM faces/s", "Grad-CAM / ceiling"],
        lambda x: [x["model"], x["streams"], f"{x['bare_faces_per_s']:,.1f}",
                   f"{x['ceiling_faces_per_s']:,.1f}", f"{x['gradcam_faces_per_s']:,.1f}",
                   f"{x['ratio']:.3f}x"],
        lambda r: f"`python benchmarks/gradcam_throughput.py --faces {r['faces']}`: "
                  f"`{r['backbone']}`, {r['crop_size']} px crops, batch {r['batch_size']}; "
                  f"{r['device']}")


def train_section(records: list[dict]) -> str:
    """Each detector's train step beside its bare backbone's, one table per benchmark run."""
    return runs_section(
        records, ["backbone", "input px", "detector", "bare backbone img/s", "detector img/s",
                  "detector / bare"],
        lambda x: [x["backbone"], x["input_size"], x["detector"], f"{x['bare_img_per_s']:,.1f}",
                   f"{x['detector_img_per_s']:,.1f}", f"{x['ratio']:.2f}x"],
        lambda r: f"`python benchmarks/train_throughput.py`: {r['device']}, {r['precision']}, "
                  f"batch {r['batch_size']}, {r['steps']} steps")


def loader_section(records: list[dict]) -> str:
    """The loader's faces/s and the training loop's img/s beside the bare train step's."""
    return runs_section(
        records, ["loader workers", "loader faces/s", "training loop img/s", "bare step img/s",
                  "loader / bare", "loop / bare"],
        lambda x: [x["workers"], f"{x['loader_faces_per_s']:,.1f}",
                   f"{x['loop_img_per_s']:,.1f}", f"{x['bare_img_per_s']:,.1f}",
                   f"{x['loader_ratio']:.2f}x", f"{x['loop_ratio']:.2f}x"],
        lambda r: f"`python benchmarks/loader_throughput.py`: {r['device']}, {r['precision']}, "
                  f"`{r['detector']}` on {r['backbone']} at {r['input_size']} px, batch "
                  f"{r['batch_size']}, {r['faces']} faces")


def validation_summary(results: Path, cells: pd.DataFrame) -> str:
    """The highest validation loss, and its largest rise between epochs, over every epoch of
    the models behind the table's cells."""
    runs = cells.drop_duplicates(["dataset", "compression", "forgery", "model", "backbone",
                                  "depth", "seed"])
    losses = [[epoch["val_loss"] for epoch in json.loads(
        (results / "models" / r.dataset / r.compression / r.forgery / r.model / r.backbone
         / r.depth / f"seed{r.seed}.json").read_text())["history"]] for r in runs.itertuples()]
    rise = max(max((b - a for a, b in zip(v, v[1:], strict=False)), default=0.0)
               for v in losses)
    return (f"Validation loss over every epoch of these {len(losses)} models: at most "
            f"{max(max(v) for v in losses):.3f} (chance: ln 2 = 0.693), rising by at most "
            f"{rise:.3f} from one epoch to the next.")


def frames_section(records: list[dict]) -> str:
    """Frame sampling beside decoding the whole file, one row per benchmark run."""
    return runs_section(
        [{**r, "rows": [r]} for r in records],
        ["video", "frames", "keyframe interval", "sampled", "decode frames/s",
         "sampling frames/s", "ceiling frames/s", "sampling / ceiling"],
        lambda x: [f"{x['size']} H.264 CRF {x['crf']}", x["frames"], x["keyframe_interval"],
                   x["per_video"], f"{x['decode_frames_per_s']:,.1f}",
                   f"{x['sampled_frames_per_s']:,.1f}", f"{x['sampled_ceiling_per_s']:,.1f}",
                   f"{x['ratio']:.2f}x"],
        lambda r: f"`python benchmarks/frames_throughput.py`: {r['device']}")


def faces_section(records: list[dict]) -> str:
    """Extraction plus cropping (plus depth) per backend and frame size, beside decoding."""
    return runs_section(
        records, ["video", "backend", "frames", "faces", "extract s", "crop s", "depth s",
                  "frames/s", "decode ceiling frames/s", "/ ceiling", "MB per 1,000 crops",
                  "hours for FF++ c40"],
        lambda x: [x["size"], x["backend"], x["sampled"], x["faces"], x["extract_s"],
                   x["crop_s"], x["depth_s"], f"{x['frames_per_s']:,.2f}",
                   f"{x['ceiling_frames_per_s']:,.1f}", f"{x['ratio']:.3f}x",
                   f"{x['mb_per_1000_crops']:,.1f}", x["ffpp_hours"]],
        lambda r: f"`python benchmarks/faces_throughput.py`: {r['device']}, {r['videos']} "
                  f"videos of {r['frames']} frames per size, {r['per_video']} sampled, "
                  f"{r['crop_size']} px crops, depth {r['depth'] or 'not run'}; FF++ c40 = "
                  f"{r['ffpp_videos']:,} videos x {r['per_video']} frames")


def face_rates_section(records: list[dict]) -> str:
    """Per backend: the share of frames with a face per video, the time per frame, and that
    time beside HOG at upsample 1's on the same frames."""
    return runs_section(
        records, ["backend", "videos", "mean face rate", "lowest face rate",
                  "videos under 0.5", "s per frame", "frames/s", "x dlib:1"],
        lambda x: [x["backend"], x["videos"], f"{x['mean_face_rate']:.3f}",
                   f"{x['lowest_face_rate']:.3f}", x["videos_under"],
                   f"{x['seconds_per_frame']:.4f}", f"{x['frames_per_second']:.1f}",
                   f"{x['x_hog_up1']:.2f}"],
        lambda r: "`python benchmarks/face_rates.py "
                  + ("--generated`: " + generated_text(r) if r["frames"] == "generated"
                     else f"--frames {r['frames']}"
                     + (f" --scale {r['scale']:g}`: frames shrunk to {r['scale']:g}x"
                        if r.get("scale", 1) != 1 else "`: frames as extracted"))
                  + f"; {r['device']}")


def generated_text(record: dict) -> str:
    """What the generated tree of a face-rates record holds."""
    tree = record["generated"]
    return (f"{tree['videos']} videos of {tree['width']}x{tree['height']} at CRF "
            f"{tree['crf']}, faces {tree['face_side']} px wide, {tree['identities']} people, "
            f"{record['per_video']} frames sampled per video")


def seeds_section(results: Path, dataset: str) -> str:
    """The demo's detection table over several seeds, and its lowest AUC of any seed."""
    detection = results / "tables" / dataset / "detection.md"
    predictions = pd.concat([read_parquet(p) for p in
                             (results / "predictions" / dataset).rglob("*.parquet")])
    cells = cell_metrics(predictions[(predictions["condition"] == CLEAN)
                                     & (predictions["depth_input"] != ZERO_DEPTH)])
    worst = cells.loc[cells["frame_auc"].idxmin()]
    return "\n".join([
        f"Measured on {machine()}, no GPU ({demo_settings(results, dataset)}):", "",
        table_section(detection, "Clean test set"), "", table_notes(detection), "",
        f"Lowest test AUC (frame level) of any cell at any of the {cells['seed'].nunique()} "
        f"seeds: {worst['frame_auc']:.3f} ({worst['model']}, {worst['compression']} "
        f"{worst['forgery']}, seed {worst['seed']}). {validation_summary(results, cells)}", "",
        f"Provenance of these numbers: {provenance(detection)}.",
    ])


def replace_section(readme: str, markers: tuple[str, str], section: str) -> str:
    begin, end = markers
    head, rest = readme.split(begin)
    return f"{head}{begin}\n{section}\n{end}{rest.split(end)[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wall-seconds", type=float,
                        help="the demo's wall time: snakemake --cores all, then --report")
    parser.add_argument("--speed", type=float, help="cpu-calib.py's figure")
    parser.add_argument("--seeds", action="store_true",
                        help="render the demo's tables as the several-seed demo table")
    parser.add_argument("--dataset", default="demo")
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    args = parser.parse_args()
    if (args.wall_seconds is None) != (args.speed is None):
        parser.error("give --wall-seconds and --speed together")
    readme = args.readme.read_text()
    if args.wall_seconds is not None:
        readme = replace_section(readme, DEMO_MARKERS, results_section(
            args.results, args.dataset, args.wall_seconds, args.speed))
    if args.seeds:
        readme = replace_section(readme, SEEDS_MARKERS, seeds_section(args.results, args.dataset))
    for markers, pattern, section in ((DEPTH_MARKERS, "depth_*.json", depth_section),
                                      (TRAIN_MARKERS, "train_*.json", train_section),
                                      (LOADER_MARKERS, "loader_*.json", loader_section),
                                      (FRAMES_MARKERS, "frames_*.json", frames_section),
                                      (FACES_MARKERS, "faces_*.json", faces_section),
                                      (FACE_RATES_MARKERS, "face_rates_*.json",
                                       face_rates_section),
                                      (EVALUATE_MARKERS, "evaluate_*.json", evaluate_section),
                                      (GRADCAM_MARKERS, "gradcam_*.json", gradcam_section)):
        records = [json.loads(path.read_text())
                   for path in sorted((args.results / "throughput").glob(pattern))]
        if records:
            readme = replace_section(readme, markers, section(records))
    args.readme.write_text(readme)


if __name__ == "__main__":
    main()
