"""The whole config file: its sections, their cross-checks, and loading it."""

from __future__ import annotations

from pydantic import Field, ValidationError, model_validator

from depthfake.settings.base import ALL_FORGERIES, Settings, Token
from depthfake.settings.datasets import (
    PER_DATASET_SECTIONS,
    RUN_WIDE_FACE_SETTINGS,
    DatasetSettings,
)
from depthfake.settings.depth import DepthSettings
from depthfake.settings.detect import DetectSection
from depthfake.settings.evaluation import EvaluateSection, levels_left_clean
from depthfake.settings.faces import FaceSettings
from depthfake.settings.figures import FigureSettings
from depthfake.settings.frames import FrameSettings
from depthfake.settings.statistics import StatisticsSection
from depthfake.settings.training import TrainSection


class WorkflowConfig(Settings):
    """The whole config file."""

    datasets: dict[Token, DatasetSettings] = Field(min_length=1,
                                                   description="named data sets")
    frames: FrameSettings = FrameSettings()
    faces: FaceSettings = FaceSettings()
    depth: DepthSettings = DepthSettings()
    train: TrainSection
    evaluate: EvaluateSection = EvaluateSection()
    statistics: StatisticsSection = StatisticsSection()
    figures: FigureSettings = FigureSettings()
    detect: DetectSection = DetectSection()

    @model_validator(mode="after")
    def _cross_references(self) -> WorkflowConfig:
        known = sorted(self.datasets)
        for key, name in [("train.dataset", self.train.dataset),
                          *(("evaluate.datasets", d) for d in self.test_datasets())]:
            if name not in self.datasets:
                raise ValueError(f"{key} names {name!r}; the data sets are {known}")
        trained_at = self.datasets[self.train.dataset].compression_levels()
        for name in self.test_datasets():
            levels = self.datasets[name].compressions
            if levels is not None and not set(levels) & set(trained_at):
                raise ValueError(f"evaluate.datasets names {name!r}, whose compressions {levels} "
                                 f"share none with the training data set's {trained_at}: no "
                                 "model would be tested on it")
        forgeries = self.datasets[self.train.dataset].forgeries
        for forgery in self.train.forgeries:
            if forgery != ALL_FORGERIES and forgery not in forgeries:
                raise ValueError(f"train.forgeries names {forgery!r}, which is not a forgery of "
                                 f"data set {self.train.dataset!r} {forgeries} (or ALL)")
        gradcam = self.figures.gradcam
        if gradcam.forgery is not None and gradcam.forgery not in self.train.forgeries:
            raise ValueError(f"figures.gradcam.forgery names {gradcam.forgery!r}; the trained "
                             f"forgeries are {self.train.forgeries}")
        if gradcam.compression is not None and gradcam.compression not in trained_at:
            raise ValueError(f"figures.gradcam.compression names {gradcam.compression!r}; the "
                             f"training data set's compressions are {trained_at}")
        if clean := levels_left_clean(self.evaluate.sweeps,
                                      blur_kernel=self.evaluate.attacks.blur_kernel,
                                      crop_size=self.faces.crop_size):
            raise ValueError(f"evaluate.sweeps: at faces.crop_size {self.faces.crop_size}, "
                             f"rounding to uint8 pixels leaves {'; '.join(clean)}: each is the "
                             "clean set under another name (every curve starts at the mode's "
                             "clean reference); drop it")
        return self

    @model_validator(mode="after")
    def _dataset_sections(self) -> WorkflowConfig:
        """Every data set's frames and faces entries, merged over the top level, are valid."""
        problems = []
        for name, source in self.datasets.items():
            problems += [f"datasets.{name}.faces.{key}: shapes the crops every model reads, one "
                         "value for the whole run (models are tested across data sets): set "
                         f"faces.{key} instead" for key in RUN_WIDE_FACE_SETTINGS
                         if key in source.faces]
            for section in PER_DATASET_SECTIONS:
                try:
                    self._section_of(name, section)
                except ValidationError as err:
                    problems += [f"datasets.{name}.{section}.{'.'.join(map(str, e['loc']))}: "
                                 f"{e['msg']}" for e in err.errors()]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def test_datasets(self) -> list[str]:
        return self.evaluate.datasets or [self.train.dataset]

    def _section_of(self, name: str, section: str) -> Settings:
        top = getattr(self, section)
        return type(top).model_validate(merged(top.model_dump(),
                                               getattr(self.datasets[name], section)))

    def frames_of(self, name: str) -> FrameSettings:
        """Data set `name`'s frame settings: its own `frames` over the top-level ones."""
        return self._section_of(name, "frames")

    def faces_of(self, name: str) -> FaceSettings:
        """Data set `name`'s face settings: its own `faces` over the top-level ones."""
        return self._section_of(name, "faces")


def merged(base: dict, update: dict) -> dict:
    """`update` over `base`, section by section (as Snakemake merges config files)."""
    out = dict(base)
    for key, value in update.items():
        nested = isinstance(value, dict) and isinstance(base.get(key), dict)
        out[key] = merged(base[key], value) if nested else value
    return out


def load_config(values: dict) -> WorkflowConfig:
    """The validated config; one error naming every wrong key."""
    try:
        return WorkflowConfig.model_validate(values)
    except ValidationError as err:
        raise ValueError(f"invalid config: {err}") from None
