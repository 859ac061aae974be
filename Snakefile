# RGB-D deepfake detection: videos -> frames -> face crops -> depth -> detectors -> tables
# and figures (snakemake --report report.html gathers them in one page).
# The config is validated against depthfake.settings.WorkflowConfig in common.smk
# (workflow/schemas/config.schema.yaml is generated from it).
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/frames.smk"
include: "workflow/rules/faces.smk"
include: "workflow/rules/depth.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/bundles.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"


# Before any job: unknown or unsplittable backbones, and data sets on disk that do not match
# the config, are one error each.
check_run(PLAN, warn=logger.warning)


onstart:
    record_run(RUN_RECORD, workflow.overwrite_configfiles, CONFIG_SHA)


rule all:
    input:
        get_final_outputs(),
    default_target: True
