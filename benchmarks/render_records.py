"""The generated parts of docs/benchmarks.md and docs/results.md, from the records in
docs/records/: one Markdown section per record kind. docs/generate.py calls `render`."""

from __future__ import annotations

from collections.abc import Callable

from record_files import RECORDS, read_records

BUDGET = 48_000


def markdown_table(columns: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns),
            *("| " + " | ".join(map(str, row)) + " |" for row in rows)]


def runs_section(records: list[dict], columns: list[str], row: Callable[[dict], list],
                 caption: Callable[[dict], str]) -> str:
    """One captioned table per benchmark run: `row` gives a result row's cells."""
    parts = []
    for r in records:
        parts += [f"{caption(r)}; {r['machine']}, {r['threads']} threads; code "
                  f"{r['provenance']['code']}:", "",
                  *markdown_table(columns, [row(x) for x in r["rows"]]), ""]
    return "\n".join(parts).strip()


def depth_section(records: list[dict]) -> str:
    """The depth stage's crops/s beside the bare model's, one row per benchmark run."""
    rows = [[r["device"], r["precision"], f"{r['crop_size']} -> {r['input_size']}",
             r["batch_size"], r["crops"], f"{r['bare_crops_per_s']:,.1f}",
             f"{r['stage_crops_per_s']:,.1f}", f"{r['ratio']:.2f}x",
             f"{r['machine']}, {r['threads']} threads", r["provenance"]["code"]]
            for r in records]
    models = sorted({r["model"] for r in records})
    return "\n".join([
        f"Model: {', '.join(models)}; `python benchmarks/depth_throughput.py`.", "",
        *markdown_table(["device", "precision", "crops -> input px", "batch", "crops",
                         "bare model crops/s", "depth stage crops/s", "stage / bare", "host",
                         "code"], rows)])


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
    """Each detector's train step beside its ceiling, one table per benchmark run (runs before
    the own-ceiling change had one bare 3-channel backbone for every detector)."""
    return runs_section(
        records, ["backbone", "input px", "detector", "ceiling", "ceiling img/s",
                  "detector img/s", "detector / ceiling"],
        lambda x: [x["backbone"], x["input_size"], x["detector"],
                   x.get("ceiling", "one bare backbone, 3 channels"),
                   f"{x['bare_img_per_s']:,.1f}",
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
        lambda r: f"`python benchmarks/faces_throughput.py --backends {' '.join(backends(r))} "
                  f"--videos {r['videos']}`: {r['device']}, {r['videos']} videos of "
                  f"{r['frames']} frames per size, {r['per_video']} sampled, {r['crop_size']} "
                  f"px crops, depth {r['depth'] or 'not run'}; FF++ c40 = "
                  f"{r['ffpp_videos']:,} videos x {r['per_video']} frames")


def backends(record: dict) -> list[str]:
    return list(dict.fromkeys(row["backend"] for row in record["rows"]))


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
        face_rates_caption)


def face_rates_caption(record: dict) -> str:
    """The command of a face-rates record and what its frames were."""
    if record["frames"] == "generated":
        tree = record["generated"]
        frames = (f"--generated`: {tree['videos']} videos of {tree['width']}x{tree['height']} "
                  f"at CRF {tree['crf']}, faces {tree['face_side']} px wide, "
                  f"{tree['identities']} people, {record['per_video']} frames sampled per video")
    elif record.get("scale", 1) != 1:
        frames = (f"--frames {record['frames']} --scale {record['scale']:g}`: frames shrunk "
                  f"to {record['scale']:g}x")
    else:
        frames = f"--frames {record['frames']}`: frames as extracted"
    return f"`python benchmarks/face_rates.py {frames}; {record['device']}"


def tables_section(records: list[dict]) -> str:
    """The tables' statistics per grid size, one job per column, then the tables step; and
    the computation before the cluster bootstrap beside it on a slice, one table per run."""
    parts = []
    for r in records:
        jobs = f"{r['processes']} jobs' peaks MB"
        table = runs_section(
            [r], ["conditions", "columns", "cells", "wall s", "cells/s", "longest job s",
                  "job peak MB", jobs, "tables step s", "tables step peak MB"],
            lambda x: [x["conditions"], x["columns"], f"{x['cells']:,}", f"{x['wall_s']:.1f}",
                       f"{x['cells_per_s']:,.1f}", f"{x['longest_job_s']:.1f}",
                       f"{x['job_peak_mb']:,.0f}", f"{x['concurrent_peak_mb']:,.0f}",
                       f"{x['tables_s']:.1f}", f"{x['tables_peak_mb']:,.0f}"],
            lambda r: f"`python benchmarks/tables_throughput.py --conditions "
                      f"{' '.join(str(x['conditions']) for x in r['rows'])}`: {r['pairs']} test "
                      f"pairs a column, {r['frames']} frames a video, one seed, "
                      f"{r['resamples']:,} replicates, {r['processes']} column jobs at a time; "
                      f"{r['device']}")
        s = r["slice"]
        parts += [table, "", f"Beside it, in one process, on {s['column']} under the first "
                  f"{s['conditions']} conditions ({s['cells']} cells): the computation before "
                  f"the cluster bootstrap (commit be0aeaf) {s['previous_cells_per_s']:,.2f} "
                  f"cells/s, `column_statistics` {s['new_cells_per_s']:,.2f} cells/s "
                  f"({s['speedup']:g}x). Scaled by their faces to the {s['grid_cells']:,} "
                  f"cells, the former takes {s['previous_grid_s']:,.0f} s in one process, as it "
                  f"ran, over one frame of every prediction ({s['previous_grid_gb']:.2f} GB).",
                  ""]
    return "\n".join(parts).strip()


def demo_section(records: list[dict]) -> str:
    """The newest demo record: its wall time against the budget, the time per stage, the
    clean detection table and each depth mode's robustness excerpt."""
    r = records[-1]
    wall, speed = r["wall_seconds"], r["speed"]
    stages = [[s["stage"], s["jobs"], f"{s['total_s']:.1f}", f"{s['longest_s']:.1f}"]
              for s in r["stages"]]
    lines = [
        f"Measured on {r['machine']}, no GPU; code {r['provenance']['code']}.", "",
        f"The main command's `snakemake --cores all` and `snakemake --report report.html` on "
        f"a fresh clone: **{wall:.0f} s**; x CPU speed {speed:g} "
        f"(`python ../shared/tools/cpu-calib.py`, idle machine) = **{wall * speed:,.0f}** "
        f"units, {'within' if wall * speed <= BUDGET else 'over'} the demo budget of "
        f"{BUDGET:,}. Per stage, from the `benchmark:` files of "
        f"{sum(s['jobs'] for s in r['stages'])} jobs (`python benchmarks/stage_times.py`; "
        "the per-slice face checks and the summary jobs have none):", "",
        *markdown_table(["stage", "jobs", "total s", "longest s"], stages), "",
        *(line for table in r["tables"] for line in table_excerpt(table, r["dataset"])),
        f"Provenance of these numbers: {r['table_provenance']}."]
    return "\n".join(lines)


def table_excerpt(table: dict, dataset: str) -> list[str]:
    """One excerpt of a result table: where it comes from, its rows, its notes."""
    return [f"`results/tables/{dataset}/{table['file']}`, {table['section']} "
            f"({table['caption']}):", "", *markdown_table(table["columns"], table["rows"]), "",
            *([table["notes"], ""] if table.get("notes") else [])]


def seeds_section(records: list[dict]) -> str:
    """The newest several-seed demo record: its table and its lowest AUC of any seed."""
    r = records[-1]
    worst = r["worst"]
    return "\n".join([
        f"Measured on {r['machine']}, no GPU; code {r['provenance']['code']} "
        f"({r['settings']}):", "",
        *(line for table in r["tables"] for line in table_excerpt(table, r["dataset"])),
        f"Lowest test AUC (frame level) of any cell at any of the {r['seeds']} seeds: "
        f"{worst['frame_auc']:.3f} ({worst['model']}, {worst['compression']} "
        f"{worst['forgery']}, seed {worst['seed']}). Validation loss over every epoch of these "
        f"{r['validation']['models']} models: at most {r['validation']['highest']:.3f} "
        f"(chance: ln 2 = 0.693), rising by at most {r['validation']['largest_rise']:.3f} from "
        "one epoch to the next.", "",
        f"Provenance of these numbers: {r['table_provenance']}."])


def detect_section(records: list[dict]) -> str:
    """Scoring one video per phase beside decoding alone, one table per run."""
    return runs_section(
        records, ["run", "frames", "with a face", "decode s", "faces s", "depth s", "model s",
                  "Grad-CAM s", "page s", "total s", "decoding alone s", "models loaded s"],
        lambda x: [x["run"], x["frames"], x["faces"], x["decode_s"], x["faces_s"],
                   x["depth_s"], x["model_s"], x["gradcam_s"], x["page_s"],
                   f"**{x['total_s']}**", x["decode_only_s"], x["setup_s"]],
        lambda r: f"`python benchmarks/detect_throughput.py`: {r['device']}, {r['video']}, "
                  f"bundle: {r['bundle']} ({r['face_backend']} faces, {r['depth_backend']} "
                  f"depth); target {r['rows'][0]['frames']} frames under "
                  f"{r['target_seconds']:g} s: {'met' if r['target_met'] else 'missed'}")


def serve_section(records: list[dict]) -> str:
    """The service under load beside sequential detect, one row per benchmark run."""
    rows = [[f"{r['uploads']} ({r['distinct']} distinct)", r["workers"], f"{r['load_s']:.1f}",
             f"{r['videos_per_s']:.2f}", f"{r['sequential_videos_per_s']:.2f}",
             f"{r['sequential_videos_per_s'] * r['workers']:.2f}",
             f"{r['matched']} of {r['uploads']}", f"{r['polls']}: {r['status_p50_ms']:.0f} / "
             f"**{r['status_p95_ms']:.0f}** (target {r['p95_target_ms']})",
             f"**{r['memory_beyond_mb']:.0f}** (target {r['memory_target_mb']})",
             f"{r['machine']}, {r['threads']} threads per worker", r["provenance"]["code"]]
            for r in records]
    videos = sorted({f"{r['video']}, bundle: {r['bundle']}" for r in records})
    return "\n".join([
        f"`python benchmarks/serve_throughput.py`: {'; '.join(videos)}.", "",
        *markdown_table(["uploads", "workers", "all ended s", "videos/s", "sequential videos/s",
                         "ceiling videos/s", "as sequential", "status polls: p50 / p95 ms",
                         "web process MB beyond its start", "host", "code"], rows)])


FLOOR, AIM = 0.8, 0.9  # of a measurement's ceiling


def verdict(ratio: float) -> str:
    """A GPU suite ratio against its targets."""
    if ratio >= AIM:
        return f"**{ratio:.3f}x** aim met"
    return f"**{ratio:.3f}x** " + ("floor met, aim not" if ratio >= FLOOR else "below the floor")


def gpu_row(r: dict) -> list:
    rate, ceiling = f"{r['rate']:,.1f} {r['unit']}", f"{r['ceiling']:,.1f} ({r['ceiling_is']})"
    if r["part"] == "precision":
        return [r["part"], r["measurement"], r["size"], rate, ceiling,
                rf"max / mean \|Δp\| {r['max_abs_prob_diff']} / {r['mean_abs_prob_diff']}, "
                f"same decision {r['same_decision']:.2%} (speed {r['ratio']:.2f}x)"]
    extra = f"; FF++ c40: {r['ffpp_node_hours']} h" if r["part"] == "end_to_end" else ""
    return [r["part"], r["measurement"], r["size"], rate, ceiling, verdict(r["ratio"]) + extra]


def gpu_section(records: list[dict]) -> str:
    """The GPU suite's measurements, one table per device and commit, each ratio against
    the floor (0.8x of its ceiling) and the aim (0.9x); smoke records are not shown."""
    runs: dict[tuple, list[dict]] = {}
    for r in records:
        if not r["smoke"]:
            runs.setdefault((r["device"], r["commit"]), []).append(r)
    if not runs:
        return "Not measured yet: no GPU record in `docs/records/gpu.jsonl`."
    parts = []
    for (device, commit), rows in runs.items():
        versions = ", ".join(f"{k} {v}" for k, v in rows[0]["versions"].items())
        parts += [f"`python benchmarks/gpu_suite.py`: {device}; {rows[0]['machine']}; code "
                  f"{commit}; {versions}:", "",
                  *markdown_table(["part", "measurement", "size", "rate", "ceiling",
                                   f"against {FLOOR}x / {AIM}x"],
                                  [gpu_row(r) for r in rows]), ""]
    return "\n".join(parts).strip()


SECTIONS = {"gpu": gpu_section, "depth": depth_section, "train": train_section,
            "loader": loader_section,
            "frames": frames_section, "faces": faces_section, "face_rates": face_rates_section,
            "evaluate": evaluate_section, "gradcam": gradcam_section, "tables": tables_section,
            "detect": detect_section, "serve": serve_section, "demo": demo_section,
            "demo_seeds": seeds_section}


def render(kind: str) -> str:
    """The section of records `kind`, from docs/records/<kind>.jsonl."""
    if kind not in SECTIONS:
        raise KeyError(f"no records section {kind!r}; known: {', '.join(SECTIONS)}")
    records = read_records(RECORDS / f"{kind}.jsonl")
    if not records:
        return f"Not measured yet: no record in `docs/records/{kind}.jsonl`."
    return SECTIONS[kind](records)
