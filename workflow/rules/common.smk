# Helpers shared by the rules: the grid, the shards, and the command-line options of steps.
import sys
from pathlib import Path

STEPS = Path(workflow.basedir) / "pipeline_steps"
sys.path.insert(0, str(STEPS))
from depthfake.streams import uses_depth  # torch-free: tells which models read depth

DATASET = config["dataset"]
REAL = "real"
KINDS = [REAL, *DATASET["forgeries"]]
SHARDS = list(range(DATASET["shards_per_kind"]))
ALL_FORGERIES = "ALL"

for forgery in config["train"]["forgeries"]:
    if forgery != ALL_FORGERIES and forgery not in DATASET["forgeries"]:
        raise ValueError(
            f"train.forgeries names {forgery!r}, which is not in dataset.forgeries "
            f"{DATASET['forgeries']} (or {ALL_FORGERIES})"
        )


wildcard_constraints:
    compression="[^/]+",
    kind="[^/]+",
    shard=r"\d+",
    forgery="[^/]+",
    model="[^/]+",


def step_script(name):
    """The path of a step script (pipeline_steps/<name>.py)."""
    return str(STEPS / f"{name}.py")


def dataset_inputs():
    """The split files the extraction reads; the demo build when the demo is on."""
    if config["demo"]["build"]:
        return rules.demo_dataset.output.manifest
    return [Path(DATASET["splits_dir"]) / f"{s}.json" for s in ("train", "val", "test")]


def dataset_root(wildcards):
    """The FF++ root folder: read in place, too large to list as input files."""
    return DATASET["root"]


def cell_kinds(forgery):
    """Video kinds a grid cell trains and tests on: the reals plus one or every forgery."""
    return [REAL, *(DATASET["forgeries"] if forgery == ALL_FORGERIES else [forgery])]


def shard_files(pattern, compression, kinds):
    return expand(pattern, compression=compression, kind=kinds, shard=SHARDS)


def cell_inputs(wildcards):
    """Frame indices, crops and (for models that read depth) depth maps of one grid cell."""
    kinds = cell_kinds(wildcards.forgery)
    inputs = {
        "index": shard_files(rules.crop_faces.output.index, wildcards.compression, kinds),
        "faces": shard_files(rules.crop_faces.output.faces, wildcards.compression, kinds),
    }
    if uses_depth(wildcards.model):
        inputs["depth"] = shard_files(
            rules.estimate_depth.output.depth, wildcards.compression, kinds
        )
    return inputs


def shard_options(wildcards, input):
    """--index/--faces/--depth options for the train and evaluate steps."""
    options = f"--index {input.index} --faces {input.faces}"
    return options + (f" --depth {input.depth}" if "depth" in input.keys() else "")


def attack_options():
    """One option per attack parameter, e.g. --blur-sigma-min 4.0."""
    options = []
    for key, value in config["evaluate"]["attacks"].items():
        values = value if isinstance(value, list) else [value]
        options.append(f"--{key.replace('_', '-')} " + " ".join(str(v) for v in values))
    return " ".join(options)


def skip_records():
    """Every per-job skip record of the extraction and cropping stages."""
    return [
        f"results/skips/{stage}/{compression}/{kind}/shard{shard}.csv"
        for stage in ("extract_frames", "crop_faces")
        for compression in DATASET["compressions"]
        for kind in KINDS
        for shard in SHARDS
    ]


def grid(pattern):
    return expand(
        pattern,
        compression=DATASET["compressions"],
        forgery=config["train"]["forgeries"],
        model=config["train"]["models"],
    )


def get_final_outputs():
    return [*rules.tables.output, rules.collect_skips.output.table]
