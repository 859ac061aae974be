# The validated config, wildcard constraints, and one-line adapters from the rules to the
# plan of the run (depthfake.plan: plain Python over the config, tested without Snakemake).
import copy
import os
import sys
from pathlib import Path

from snakemake.common.configfile import load_configfile
from snakemake.utils import update_config

STEPS = Path(workflow.basedir) / "pipeline_steps"
sys.path.insert(0, str(STEPS))
# Light imports only (pydantic, platformdirs: Snakemake's own dependencies), so Snakemake runs
# without torch, OpenCV, dlib, numpy or pandas (e.g. under --use-conda).
from depthfake.plan.grid import OutputPatterns, RunPlan
from depthfake.plan.provenance import CONFIG_HASH_VARIABLE, config_hash
from depthfake.plan.resources import depth_gpus, face_gpus, gpu_request
from depthfake.plan.run_record import (
    RUN_RECORD,
    building_report,
    record_run,
    report_configfiles,
)
from depthfake.plan.startup import check_run
from depthfake.plan.step_options import StepOptions
from depthfake.settings import load_config


# A report is of the run in results/: without --configfile it takes that run's config files.
if building_report(sys.argv):

    def report_config_sha(files):
        values = copy.deepcopy(config)
        for path in files:
            update_config(values, load_configfile(path))
        return config_hash(load_config(values).model_dump(mode="json"))

    for path in report_configfiles(RUN_RECORD, workflow.overwrite_configfiles, report_config_sha):
        logger.info(f"the report is of the run in results/, made with {path}")
        update_config(config, load_configfile(path))

CONFIG = load_config(config)
TRAIN = CONFIG.train
PLAN = RunPlan(CONFIG)
OPTIONS = StepOptions(PLAN)
# The resolved config (defaults filled in), as the report's captions read it.
config.update(CONFIG.model_dump(mode="json"))
# Every job records the hash of the resolved config it ran under (not a param: no reruns).
CONFIG_SHA = config_hash(CONFIG.model_dump(mode="json"))
os.environ[CONFIG_HASH_VARIABLE] = CONFIG_SHA


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


# The wildcards that name one trained detector.
RUN_WILDCARDS = ("dataset", "compression", "forgery", "model", "backbone", "depth", "seed")


def step_script(name):
    """A step script's path, relative to the working directory: moving the project folder
    must not change the rules' params."""
    return os.path.relpath(STEPS / f"{name}.py")


def patterns():
    """The output patterns of the rules other jobs read (known once the rules are read)."""
    return OutputPatterns(
        frame_skips=rules.extract_frames.output.skips,
        face_index=rules.crop_faces.output.index,
        faces=rules.crop_faces.output.faces,
        face_skips=rules.crop_faces.output.skips,
        face_check=rules.check_faces.output.lost,
        depth=rules.estimate_depth.output.depth,
        weights=rules.train.output.weights,
        meta=rules.train.output.meta,
        predictions=rules.evaluate.output.predictions,
        validation=rules.predict_validation.output.predictions,
        robustness="results/tables/{dataset}/robustness_{mode}.csv",
    )


# -- inputs --------------------------------------------------------------------------------------
def train_inputs(w):
    weights = OPTIONS.pretrained_file(backbone=w.backbone)
    faces = PLAN.face_files(patterns(), dataset=w.dataset, compression=w.compression,
                            forgery=w.forgery, model=w.model, depth=w.depth)
    return faces | ({"pretrained": weights} if weights else {})


def validation_inputs(w):
    return PLAN.face_files(patterns(), dataset=w.dataset, compression=w.compression,
                           forgery=w.forgery, model=w.model, depth=w.depth)


def bundle_inputs(w):
    return PLAN.bundle_files(patterns(), **{k: w[k] for k in RUN_WILDCARDS})


def test_inputs(w):
    return PLAN.test_files(patterns(), test_dataset=w.test_dataset, compression=w.compression,
                           forgery=w.forgery, model=w.model, depth=w.depth)


def column_predictions(w):
    return PLAN.column_predictions(patterns(), dataset=w.dataset, test_dataset=w.test_dataset,
                                   compression=w.compression, forgery=w.forgery)


def shard_options(w, input):
    """--index/--faces/--depth options for the train, evaluate and gradcam steps."""
    options = f"--index {input.index} --faces {input.faces}"
    return options + (f" --depth {input.depth}" if "depth" in input.keys() else "")


def skip_records():
    """Every per-job skip record of the extraction and cropping stages."""
    return [*PLAN.per_shard(patterns().frame_skips), *PLAN.per_shard(patterns().face_skips)]


def get_final_outputs():
    """The tables and figures, the skip record, the face report and (when some model reads
    depth) the depth figure."""
    figure = rules.depth_figure.output if PLAN.reads_depth_anywhere() else []
    return [*expand([*rules.tables.output, *rules.figures.output, *rules.gradcam.output],
                    dataset=TRAIN.dataset),
            *rules.collect_skips.output, *rules.face_report.output, *figure]
