# Helpers shared by the rules: the validated config, the grid, the inputs of each job, and
# the command-line options of the steps, derived from the settings models in depthfake.settings.
import copy
import functools
import os
import re
import sys
from pathlib import Path

from snakemake.common.configfile import load_configfile
from snakemake.utils import update_config

STEPS = Path(workflow.basedir) / "pipeline_steps"
sys.path.insert(0, str(STEPS))
# Light imports only (pydantic, platformdirs: Snakemake's own dependencies), so Snakemake runs
# without torch, OpenCV, dlib, numpy or pandas (e.g. under --use-conda).
from depthfake.backbones import unknown_backbones, unsplittable_backbones
from depthfake.catalogue import SPLIT_FAMILIES, reads_depth, splits_backbone
from depthfake.dataset_check import dataset_problems, shard_listing
from depthfake.datasets import list_videos, shard
from depthfake.gpu_resources import gpu_request
from depthfake.datasets.celebdf import TEST_LIST as CELEBDF_TEST_LIST
from depthfake.provenance import CONFIG_HASH_VARIABLE, config_hash
from depthfake.run_record import RUN_RECORD, building_report, record_run, report_configfiles
from depthfake.settings import (
    ALL_FORGERIES,
    NO_COMPRESSION,
    NO_DEPTH,
    REAL_KIND,
    ZERO_DEPTH,
    BackboneOptions,
    DatasetSource,
    EvaluateSettings,
    FaceBackendOptions,
    FaceSettings,
    FrameSettings,
    TrainSettings,
    load_config,
    to_cli,
)

# A report is of the run in results/: without --configfile it takes that run's config files.
if building_report(sys.argv):

    def report_config_sha(files):
        merged = copy.deepcopy(config)
        for path in files:
            update_config(merged, load_configfile(path))
        return config_hash(load_config(merged).model_dump(mode="json"))

    for path in report_configfiles(RUN_RECORD, workflow.overwrite_configfiles, report_config_sha):
        logger.info(f"the report is of the run in results/, made with {path}")
        update_config(config, load_configfile(path))

CONFIG = load_config(config)
TRAIN = CONFIG.train
# The resolved config (defaults filled in), as the report's captions read it.
config.update(CONFIG.model_dump(mode="json"))
# Every job records the hash of the resolved config it ran under (not a param: no reruns).
CONFIG_SHA = config_hash(CONFIG.model_dump(mode="json"))
os.environ[CONFIG_HASH_VARIABLE] = CONFIG_SHA


if unused := TRAIN.unused_backbone_options():
    logger.warning(f"train.backbone_options has settings for {unused}, which are not in "
                   f"train.backbones {TRAIN.backbones}: they are not used (a misspelt name?)")
# Unknown timm names fail here, before any job runs.
if unknown := unknown_backbones(TRAIN.backbones):
    raise ValueError(f"train.backbones: unknown timm model(s) {unknown}; "
                     "see timm.list_models()")
splitters = [model for model in TRAIN.models if splits_backbone(model)]
if splitters and (unsplittable := unsplittable_backbones(TRAIN.backbones)):
    raise ValueError(f"train.models {splitters} split their backbone, and no split adapter "
                     f"supports {unsplittable}; supported families: {SPLIT_FAMILIES}")


wildcard_constraints:
    dataset="[^/]+",
    test_dataset="[^/]+",
    compression="[^/]+",
    kind="[^/]+",
    shard=r"\d+",
    forgery="[^/]+",
    model="[^/]+",
    backbone="[^/]+",
    depth="[^/]+",
    seed=r"-?\d+",
    depth_inputs=r"(none|recompute|perturb|zero)(\+(recompute|perturb|zero))*",


def step_script(name):
    """A step script's path, relative to the working directory: moving the project folder
    must not change the rules' params."""
    return os.path.relpath(STEPS / f"{name}.py")


# -- the grid ------------------------------------------------------------------------------------
def dataset(name):
    return CONFIG.datasets[name]


def kinds(name, forgery=ALL_FORGERIES):
    """The video kinds of a data set a cell reads: the reals plus one or every forgery."""
    forgeries = dataset(name).forgeries
    return [REAL_KIND, *(forgeries if forgery == ALL_FORGERIES else [forgery])]


def shards(name):
    return list(range(dataset(name).shards_per_kind))


def num_shards(wildcards):
    return dataset(wildcards.dataset).shards_per_kind


def test_compression(test_dataset, compression):
    """The compression a model trained at `compression` is tested at on `test_dataset`
    (None: not tested there)."""
    if compression in dataset(test_dataset).compression_levels():
        return compression
    return NO_COMPRESSION if dataset(test_dataset).compressions is None else None


def runs():
    """(model, backbone, depth backend, seed) of every model trained per cell; models that read
    no depth do not multiply by depth backends."""
    return [
        dict(model=model, backbone=backbone, depth=depth, seed=seed)
        for model in TRAIN.models
        for backbone in TRAIN.backbones
        for depth in (CONFIG.depth.backends if reads_depth(model) else [NO_DEPTH])
        for seed in TRAIN.seeds
    ]


def depth_inputs(model):
    """The depth inputs a model is evaluated with: each depth mode and the zero control for a
    model that reads depth, none for one that reads none."""
    return [*CONFIG.evaluate.depth_modes, ZERO_DEPTH] if reads_depth(model) else [NO_DEPTH]


def evaluations():
    """Every (training cell, run, test data set) of the grid, with the run's depth inputs
    joined by "+", as wildcard values."""
    return [
        dict(dataset=TRAIN.dataset, compression=compression, forgery=forgery,
             test_dataset=test, depth_inputs="+".join(depth_inputs(run["model"])), **run)
        for compression in dataset(TRAIN.dataset).compression_levels()
        for forgery in TRAIN.forgeries
        for test in CONFIG.test_datasets()
        if test_compression(test, compression)
        for run in runs()
    ]


def tested_forgery(test_dataset, forgery):
    """The fakes a model trained on `forgery` is tested on in `test_dataset`: that kind where
    the data set has it, else all of its kinds (a cross-data-set test)."""
    return forgery if forgery in dataset(test_dataset).forgeries else ALL_FORGERIES


def read_slices():
    """(data set, compression, kind) of every video group some job reads."""
    slices = set()
    for cell in evaluations():
        test = cell["test_dataset"]
        for name, level, forgery in (
            (cell["dataset"], cell["compression"], cell["forgery"]),
            (test, test_compression(test, cell["compression"]),
             tested_forgery(test, cell["forgery"])),
        ):
            slices |= {(name, level, kind) for kind in kinds(name, forgery)}
    return sorted(slices)


def needed_splits(name):
    """The splits the grid reads from a data set: train and val to train, test to test."""
    trained = {"train", "val"} if name == TRAIN.dataset else set()
    return trained | ({"test"} if name in CONFIG.test_datasets() else set())


def check_datasets():
    """Every problem of every data set on disk (those the demo builder makes are made by the
    workflow), as one error before any job runs."""
    problems, slices = [], read_slices()
    for name in sorted({name for name, _, _ in slices}):
        if dataset(name).build_demo is None:
            read = [(level, kind) for n, level, kind in slices if n == name]
            problems += dataset_problems(name, dataset(name), read, needed_splits(name))
    if problems:
        raise ValueError("the data sets on disk do not match the config:\n  - "
                         + "\n  - ".join(problems) + "\nFix the paths or folders; videos "
                         "that are gone for good can be recorded as skips instead with "
                         "datasets.<name>.missing_videos: skip")


# -- inputs --------------------------------------------------------------------------------------
def dataset_inputs(wildcards):
    """What extraction reads beside the videos: the demo build, the given split files, the
    Celeb-DF test list or the manifest (editing them reruns extraction)."""
    source = dataset(wildcards.dataset)
    if source.build_demo is not None:
        return f"{source.root}/manifest.csv"
    if source.layout == "ffpp" and source.splits_dir:
        return [f"{source.splits_dir}/{split}.json" for split in ("train", "val", "test")]
    if source.layout == "celebdf":
        return f"{source.root}/{CELEBDF_TEST_LIST}"
    if source.layout == "manifest":
        return source.manifest
    return []  # the official FF++ splits inside the package; DFD splits its actors itself


def face_inputs(name, compression, forgery, model, depth):
    """Frame indices, crops and (for models that read depth) depth maps of one cell, and its
    slices' face checks (no job reads a slice that lost too many of its faces)."""
    values = dict(dataset=name, compression=compression, kind=kinds(name, forgery),
                  shard=shards(name))
    inputs = {
        "index": expand(rules.crop_faces.output.index, **values),
        "faces": expand(rules.crop_faces.output.faces, **values),
        "checks": expand(rules.check_faces.output.lost, dataset=name, compression=compression,
                         kind=values["kind"]),
    }
    if reads_depth(model):
        inputs["depth"] = expand(rules.estimate_depth.output.depth, depth=depth, **values)
    return inputs


def train_inputs(wildcards):
    """A cell's faces (and depth), and the local pretrained weights when they are used."""
    inputs = face_inputs(wildcards.dataset, wildcards.compression, wildcards.forgery,
                         wildcards.model, wildcards.depth)
    weights = TRAIN.backbone(wildcards.backbone).pretrained_file
    return inputs | ({"pretrained": weights} if TRAIN.pretrained and weights else {})


def face_model_files(wildcards):
    """The data set's face backend's model files given in the config (replacing one reruns
    its cropping)."""
    faces = CONFIG.faces_of(wildcards.dataset)
    options = faces.options_of(faces.backend)
    return [options[key] for key in ("detector_model", "landmark_model") if options.get(key)]


def depth_model_files(wildcards):
    """The files of a depth model given as a local folder (replacing them reruns the depth)."""
    folder = Path(CONFIG.depth.options_of(wildcards.depth).get("model", ""))
    if not folder.name or not folder.is_dir():
        return []
    return sorted(str(path) for path in folder.iterdir() if path.is_file())


def figure_inputs(wildcards):
    """Shard 0 of the first training cell's kinds (first compression), with every backend's
    depth, backend-major: what the depth figure shows."""
    first_level = dataset(TRAIN.dataset).compression_levels()[0]
    values = dict(dataset=TRAIN.dataset, compression=first_level, shard=0)
    figure_kinds = kinds(TRAIN.dataset, TRAIN.forgeries[0])
    return {
        "faces": [rules.crop_faces.output.faces.format(kind=k, **values) for k in figure_kinds],
        "index": [rules.crop_faces.output.index.format(kind=k, **values) for k in figure_kinds],
        "depth": [rules.estimate_depth.output.depth.format(kind=k, depth=d, **values)
                  for d in CONFIG.depth.backends for k in figure_kinds],
    }


def gradcam_models():
    """Every trained detector of the Grad-CAM cell, at the first backbone, depth backend and
    seed, as the train rule's wildcards (model, depth, backbone, seed)."""
    first = dict(backbone=TRAIN.backbones[0], seed=TRAIN.seeds[0])
    return [dict(model=model, depth=CONFIG.depth.backends[0] if reads_depth(model)
                 else NO_DEPTH, **first) for model in TRAIN.models]


def gradcam_cell(wildcards):
    """The cell whose detectors the Grad-CAM figure shows: dataset, compression, forgery."""
    gradcam = CONFIG.figures.gradcam
    first_level = dataset(wildcards.dataset).compression_levels()[0]
    return dict(dataset=wildcards.dataset, compression=gradcam.compression or first_level,
                forgery=gradcam.forgery or TRAIN.forgeries[0])


def gradcam_inputs(wildcards):
    """The Grad-CAM cell's test faces (with the first depth backend's maps, when a model
    reads depth) and its detectors' weights and records."""
    cell = gradcam_cell(wildcards)
    models = gradcam_models()
    reader = next((m for m in models if reads_depth(m["model"])), models[0])
    return face_inputs(cell["dataset"], cell["compression"], cell["forgery"], reader["model"],
                       reader["depth"]) | {
        "weights": [rules.train.output.weights.format(**cell, **m) for m in models],
        "meta": [rules.train.output.meta.format(**cell, **m) for m in models],
    }


def test_inputs(wildcards):
    test = wildcards.test_dataset
    return face_inputs(test, test_compression(test, wildcards.compression),
                       tested_forgery(test, wildcards.forgery), wildcards.model, wildcards.depth)


def shard_options(wildcards, input):
    """--index/--faces/--depth options for the train and evaluate steps."""
    options = f"--index {input.index} --faces {input.faces}"
    return options + (f" --depth {input.depth}" if "depth" in input.keys() else "")


def per_shard(pattern):
    """`pattern` (an output of the extraction or cropping rule) for every shard the grid
    reads."""
    return [pattern.format(dataset=name, compression=level, kind=kind, shard=number)
            for name, level, kind in read_slices() for number in shards(name)]


def skip_records():
    """Every per-job skip record of the extraction and cropping stages."""
    return [*per_shard(rules.extract_frames.output.skips),
            *per_shard(rules.crop_faces.output.skips)]


def face_indices():
    """The frame index of every cropping job."""
    return per_shard(rules.crop_faces.output.index)


def slice_indices(wildcards):
    """The frame indices of one slice (data set, compression, kind), every shard."""
    return expand(rules.crop_faces.output.index, dataset=wildcards.dataset,
                  compression=wildcards.compression, kind=wildcards.kind,
                  shard=shards(wildcards.dataset))


# -- settings as command-line options --------------------------------------------------------
def options(section, model, ignored=()):
    """The options of the fields of `model` (a settings class) that `section` holds, less the
    `ignored` ones (settings a job does not read must not rerun it)."""
    return to_cli(section.model_dump(include=set(model.model_fields) - set(ignored)))


@functools.cache
def listed_videos(name, kind, compression):
    """A data set's videos of one kind and compression, listed once per Snakemake run (a
    manifest or a Celeb-DF folder is read once, not once per shard)."""
    return list_videos(dataset(name), kind, compression)


def video_listing(wildcards):
    """The shard's videos as found on disk (a digest): restoring or replacing one reruns the
    shard. A built demo is tracked by its manifest instead."""
    source = dataset(wildcards.dataset)
    if source.build_demo is not None:
        return "built"
    videos = listed_videos(wildcards.dataset, wildcards.kind, wildcards.compression)
    return shard_listing(shard(videos, int(wildcards.shard), source.shards_per_kind))


def extract_options(wildcards):
    """The data set's source (only the fields its layout reads for this kind) and its frame
    settings."""
    source = dataset(wildcards.dataset)
    source = options(source, DatasetSource, ignored=source.unread(wildcards.kind))
    return f"{source} {options(CONFIG.frames_of(wildcards.dataset), FrameSettings)}"


def face_options(wildcards):
    """The data set's FaceSettings with the options of its backend only."""
    faces = CONFIG.faces_of(wildcards.dataset)
    others = set(FaceBackendOptions.model_fields) - {faces.backend}
    return options(faces, FaceSettings, ignored=others)


def face_loss_options(wildcards):
    """The share of a slice's videos its data set lets the face stage lose (none given under
    missing_faces: skip, which accepts any), and the min_face_share its crops were made with."""
    source = dataset(wildcards.dataset)
    made = f"--min-face-share {CONFIG.faces_of(wildcards.dataset).min_face_share}"
    if source.missing_faces == "skip":
        return made
    return f"{made} --max-face-loss {source.max_face_loss}"


def depth_options(wildcards):
    """The options of one depth backend (depth.<backend>)."""
    return to_cli(CONFIG.depth.model_dump(include={wildcards.depth}))


def train_options(wildcards):
    """TrainSettings and the backbone's options, less those this model or optimizer ignores
    (so changing them reruns nothing it does not touch)."""
    settings = options(TRAIN, TrainSettings, ignored=TRAIN.ignored())
    backbone = options(TRAIN.backbone(wildcards.backbone), BackboneOptions,
                       ignored=() if splits_backbone(wildcards.model) else {"split_block"})
    return f"{settings} {backbone}"


def train_launcher():
    """python, or torchrun with one process per GPU (train.processes)."""
    if TRAIN.processes == 1:
        return "python"
    return f"torchrun --standalone --nproc-per-node {TRAIN.processes}"


def evaluate_options():
    return options(CONFIG.evaluate, EvaluateSettings)


# -- resources -----------------------------------------------------------------------------------
def face_gpus(wildcards):
    """A GPU for cropping the data set with face_alignment on cuda (or auto, on a machine with
    one)."""
    faces = CONFIG.faces_of(wildcards.dataset)
    if faces.backend != "face_alignment":
        return 0
    return gpu_request(faces.face_alignment.device)


def depth_gpus(wildcards):
    """A GPU for the neural depth backend on cuda (or auto, on a machine with one)."""
    if wildcards.depth != "depth_anything":
        return 0
    return gpu_request(CONFIG.depth.depth_anything.device)


# -- outputs -------------------------------------------------------------------------------------
def table_rows():
    """Row order of the tables: model/backbone/depth."""
    return list(dict.fromkeys(f"{r['model']}/{r['backbone']}/{r['depth']}" for r in runs()))


def demo_roots():
    """Roots of the data sets the demo builder makes, as a wildcard pattern."""
    roots = [d.root for d in CONFIG.datasets.values() if d.build_demo is not None]
    return "|".join(re.escape(root) for root in roots) or "(?!)"


def demo_options(wildcards):
    """The demo builder's settings of the data set rooted at the wildcard's folder."""
    built = next(d for d in CONFIG.datasets.values()
                 if d.build_demo is not None and d.root == wildcards.demo_root)
    return to_cli(built.build_demo.model_dump())


def get_final_outputs():
    """The tables and figures, the skip record, the face report and (when some model reads
    depth) the depth figure."""
    figure = rules.depth_figure.output if any(map(reads_depth, TRAIN.models)) else []
    return [*expand([*rules.tables.output, *rules.figures.output, *rules.gradcam.output],
                    dataset=TRAIN.dataset),
            *rules.collect_skips.output, *rules.face_report.output, *figure]
