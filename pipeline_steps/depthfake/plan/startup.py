"""The checks made when Snakemake starts, before any job runs: the backbones and the data
sets on disk. Torch-free (timm is read through its cached name list)."""

from __future__ import annotations

from collections.abc import Callable

from depthfake.plan._timm_names import unknown_backbones, unsplittable_backbones
from depthfake.plan.catalogue import SPLIT_FAMILIES, splits_backbone
from depthfake.plan.dataset_check import dataset_problems
from depthfake.plan.grid import RunPlan


def check_backbones(plan: RunPlan, warn: Callable[[str], None]) -> None:
    """Unknown timm names, and splits no adapter makes, are errors; options for backbones
    outside the grid are a warning."""
    train = plan.config.train
    if unused := train.unused_backbone_options():
        warn(f"train.backbone_options has settings for {unused}, which are not in "
             f"train.backbones {train.backbones}: they are not used (a misspelt name?)")
    if unknown := unknown_backbones(train.backbones):
        raise ValueError(f"train.backbones: unknown timm model(s) {unknown}; "
                         "see timm.list_models()")
    splitters = [model for model in train.models if splits_backbone(model)]
    if splitters and (unsplittable := unsplittable_backbones(train.backbones)):
        raise ValueError(f"train.models {splitters} split their backbone, and no split "
                         f"adapter supports {unsplittable}; supported families: "
                         f"{SPLIT_FAMILIES}")


def check_datasets(plan: RunPlan) -> None:
    """Every problem of every data set on disk (those the demo builder makes are made by the
    workflow), as one error."""
    problems, slices = [], plan.read_slices()
    for name in sorted({name for name, _, _ in slices}):
        source = plan.dataset(name)
        if source.build_demo is None:
            read = [(level, kind) for n, level, kind in slices if n == name]
            problems += dataset_problems(name, source, read, plan.needed_splits(name))
    if problems:
        raise ValueError("the data sets on disk do not match the config:\n  - "
                         + "\n  - ".join(problems) + "\nFix the paths or folders; videos "
                         "that are gone for good can be recorded as skips instead with "
                         "datasets.<name>.missing_videos: skip")


def check_run(plan: RunPlan, warn: Callable[[str], None]) -> None:
    """Everything checked before the first job: the backbones, then the data sets."""
    check_backbones(plan, warn)
    check_datasets(plan)
