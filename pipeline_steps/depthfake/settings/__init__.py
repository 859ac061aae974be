"""Every setting of the workflow, defined once: type, default (the paper code's where it has
one), constraints, help, and an example value.

One module per config section (`datasets`, `frames`, `faces`, `depth`, `training`, `evaluation`,
`statistics`, `figures`, `detect`) over `base`, and `serve` for the scoring service (not a
config section); `config_file` holds the whole file
(`WorkflowConfig`, `load_config`), `cli` the step command lines, `schema` and `reference` the
generated schema and key reference. The config file is validated against `WorkflowConfig`;
each step script derives its command line from the model of its own stage (`add_arguments` /
`from_args`), and the workflow turns a config section back into those options with `to_cli`.
Torch-free: the Snakefile imports it.
"""

from depthfake.settings.base import (
    ALL_FORGERIES,
    CLEAN_REFERENCE,
    ESTIMATED,
    NO_COMPRESSION,
    NO_DEPTH,
    PERTURB,
    REAL_KIND,
    RECOMPUTE,
    ZERO_DEPTH,
    BackendOptions,
    Compression,
    DepthBackendName,
    DepthInput,
    DepthMode,
    DetectorName,
    Device,
    FaceBackendName,
    Layout,
    Missing,
    Optimizer,
    Precision,
    Schedule,
    Selection,
    Settings,
    Token,
)
from depthfake.settings.cli import NULL, add_arguments, from_args, to_cli
from depthfake.settings.config_file import WorkflowConfig, load_config, merged
from depthfake.settings.datasets import (
    LAYOUT_DEFAULTS,
    LAYOUT_FIELDS,
    PER_DATASET_SECTIONS,
    RUN_WIDE_FACE_SETTINGS,
    DatasetSettings,
    DatasetSource,
    DemoSettings,
)
from depthfake.settings.depth import (
    DepthAnythingOptions,
    DepthBackendOptions,
    DepthSettings,
    LandmarkMeshOptions,
)
from depthfake.settings.detect import DetectSection, DetectSettings
from depthfake.settings.evaluation import (
    AttackSettings,
    EvaluateSection,
    EvaluateSettings,
    SweepSettings,
)
from depthfake.settings.faces import (
    DlibCascadeOptions,
    DlibCnnOptions,
    DlibOptions,
    FaceAlignmentOptions,
    FaceBackendOptions,
    FaceSettings,
)
from depthfake.settings.figures import FigureSettings, GradcamSettings
from depthfake.settings.frames import FrameSettings
from depthfake.settings.statistics import BootstrapSettings, MarkSettings, StatisticsSection
from depthfake.settings.training import BackboneOptions, TrainSection, TrainSettings

__all__ = [
    "ALL_FORGERIES",
    "LAYOUT_DEFAULTS",
    "LAYOUT_FIELDS",
    "NO_COMPRESSION",
    "CLEAN_REFERENCE",
    "ESTIMATED",
    "NO_DEPTH",
    "PERTURB",
    "RECOMPUTE",
    "NULL",
    "PER_DATASET_SECTIONS",
    "REAL_KIND",
    "RUN_WIDE_FACE_SETTINGS",
    "ZERO_DEPTH",
    "AttackSettings",
    "BootstrapSettings",
    "BackboneOptions",
    "BackendOptions",
    "Compression",
    "DatasetSettings",
    "DatasetSource",
    "DemoSettings",
    "DepthAnythingOptions",
    "DepthBackendName",
    "DepthBackendOptions",
    "DepthInput",
    "DepthMode",
    "DepthSettings",
    "DetectSection",
    "DetectSettings",
    "DetectorName",
    "Device",
    "DlibCascadeOptions",
    "DlibCnnOptions",
    "DlibOptions",
    "EvaluateSection",
    "EvaluateSettings",
    "FaceAlignmentOptions",
    "FaceBackendName",
    "FaceBackendOptions",
    "FaceSettings",
    "FigureSettings",
    "FrameSettings",
    "GradcamSettings",
    "LandmarkMeshOptions",
    "MarkSettings",
    "Layout",
    "Missing",
    "Optimizer",
    "Precision",
    "Schedule",
    "Selection",
    "Settings",
    "StatisticsSection",
    "SweepSettings",
    "Token",
    "TrainSection",
    "TrainSettings",
    "WorkflowConfig",
    "add_arguments",
    "from_args",
    "load_config",
    "merged",
    "to_cli",
]

