"""Record a finished demo run in docs/records/ (docs/results.md is rendered from it).

After the main command on a fresh clone (wall seconds from `/usr/bin/time`, speed from the
CPU calibration run on the idle machine):

    python benchmarks/record_demo.py --wall-seconds 155 --speed 332

appends to docs/records/demo.jsonl the wall time, the time per stage, the clean detection
table and each depth mode's robustness table at the paper's CMB. After the several-seed run,
`python benchmarks/record_demo.py --seeds` appends the detection table over the seeds, its
lowest AUC and the validation losses to docs/records/demo_seeds.jsonl.
"""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path

import pandas as pd
import yaml

from depthfake.evaluation.conditions import CLEAN
from depthfake.evaluation.metrics import cell_metrics
from depthfake.plan.run_record import RUN_RECORD
from depthfake.reporting.tables import (
    CLEAN_REFERENCE_SECTION,
    CLEAN_SECTION,
    PAPER_PARAMETERS_SECTION,
)
from depthfake.reporting.text import DEPTH_MODE_CAPTION
from depthfake.settings import ZERO_DEPTH
from depthfake.settings.config_file import load_config, merged
from depthfake.storage.files import read_parquet

from record_files import RECORDS, append_record, machine
from stage_times import stage_times

ATTACK_SECTION = PAPER_PARAMETERS_SECTION.format(attack="CMB")


def table_part(path: Path, title: str) -> dict:
    """The Markdown table under `## <title>` of a table file, as columns and rows."""
    text = path.read_text().split("\n---\n")[0]
    lines = text.split(f"\n## {title}\n")[1].split("\n## ")[0].strip().splitlines()
    cells = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    return {"file": path.name, "section": title, "columns": cells[0], "rows": cells[2:]}


def table_notes(path: Path) -> str:
    """A table file's notes: the paragraph under its title."""
    return path.read_text().split("\n\n")[1].strip()


def table_provenance(path: Path) -> str:
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


def common_fields(results: Path, dataset: str) -> dict:
    """What both demo records hold: the machine, the code, the settings, the clean table."""
    detection = results / "tables" / dataset / "detection.md"
    provenance = table_provenance(detection)
    settings = demo_settings(results, dataset)
    return {"machine": machine(), "provenance": {"code": provenance.split(";")[0].split()[-1]},
            "dataset": dataset, "settings": settings, "table_provenance": provenance,
            "tables": [{**table_part(detection, CLEAN_SECTION), "notes": table_notes(detection),
                        "caption": f"the demo models: {settings}"}]}


def demo_record(results: Path, dataset: str, wall: float, speed: float) -> dict:
    record = common_fields(results, dataset)
    stages = stage_times(results / "benchmarks").reset_index()
    record |= {"wall_seconds": wall, "speed": speed,
               "stages": json.loads(stages.to_json(orient="records"))}
    for path in sorted((results / "tables" / dataset).glob("robustness_*.md")):
        mode = path.stem.removeprefix("robustness_")
        record["tables"] += [{**table_part(path, title),
                              "caption": f"depth mode `{mode}`; {DEPTH_MODE_CAPTION[mode]}"}
                             for title in (CLEAN_REFERENCE_SECTION[mode], ATTACK_SECTION)]
    return record


def validation_losses(results: Path, cells: pd.DataFrame) -> dict:
    """The highest validation loss, and its largest rise between epochs, over every epoch of
    the models behind the table's cells."""
    runs = cells.drop_duplicates(["dataset", "compression", "forgery", "model", "backbone",
                                  "depth", "seed"])
    losses = [[epoch["val_loss"] for epoch in json.loads(
        (results / "models" / r.dataset / r.compression / r.forgery / r.model / r.backbone
         / r.depth / f"seed{r.seed}.json").read_text())["history"]] for r in runs.itertuples()]
    rise = max(max((b - a for a, b in zip(v, v[1:], strict=False)), default=0.0)
               for v in losses)
    return {"models": len(losses), "highest": max(max(v) for v in losses),
            "largest_rise": rise}


def run_seeds(results: Path) -> list[int]:
    """The training seeds of the run that made `results` (from its run record's config files;
    none recorded: the workflow's default config.yaml), which its tables cover: predictions of
    other seeds may be there from earlier runs."""
    workdir = results.parent
    files = (json.loads((workdir / RUN_RECORD).read_text())["configfiles"]
             or [workdir / "config.yaml"])
    values = functools.reduce(merged, (yaml.safe_load(Path(f).read_text()) for f in files), {})
    return load_config(values).train.seeds


def seeds_record(results: Path, dataset: str) -> dict:
    record = common_fields(results, dataset)
    predictions = read_parquet_all(results / "predictions" / dataset)
    cells = cell_metrics(predictions[(predictions["condition"] == CLEAN)
                                     & (predictions["depth_input"] != ZERO_DEPTH)
                                     & predictions["seed"].isin(run_seeds(results))])
    worst = cells.loc[cells["frame_auc"].idxmin()]
    return record | {
        "seeds": int(cells["seed"].nunique()),
        "worst": {"frame_auc": float(worst["frame_auc"]), "model": worst["model"],
                  "compression": worst["compression"], "forgery": worst["forgery"],
                  "seed": int(worst["seed"])},
        "validation": validation_losses(results, cells)}


def read_parquet_all(folder: Path) -> pd.DataFrame:
    return pd.concat([read_parquet(path) for path in sorted(folder.rglob("*.parquet"))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wall-seconds", type=float,
                        help="the demo's wall time: snakemake --cores all, then --report")
    parser.add_argument("--speed", type=float, help="cpu-calib.py's figure")
    parser.add_argument("--seeds", action="store_true",
                        help="record the several-seed run's tables instead")
    parser.add_argument("--dataset", default="demo")
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--records", type=Path, default=RECORDS)
    args = parser.parse_args()
    if args.seeds:
        append_record(args.records / "demo_seeds.jsonl", seeds_record(args.results, args.dataset))
        return
    if args.wall_seconds is None or args.speed is None:
        parser.error("give --wall-seconds and --speed (or --seeds)")
    append_record(args.records / "demo.jsonl", demo_record(
        args.results, args.dataset, args.wall_seconds, args.speed))


if __name__ == "__main__":
    main()
