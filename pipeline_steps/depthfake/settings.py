"""Every setting of the workflow, defined once: type, default (the paper's), constraints, help.

The config file is validated against `WorkflowConfig`; each step script derives its command
line from the model of its own stage (`add_arguments` / `from_args`), and the workflow turns
a config section back into those options with `to_cli`. Torch-free: the Snakefile imports it.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from depthfake.catalogue import DEPTH_BACKENDS, DETECTORS, FACE_BACKENDS

# Names that become folder names in results/: letters, digits, '_', '.', '-'.
Token = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
DetectorName = Literal[tuple(DETECTORS.names())]
FaceBackendName = Literal[tuple(FACE_BACKENDS.names())]
DepthBackendName = Literal[tuple(DEPTH_BACKENDS.names())]
Compression = Literal["raw", "c23", "c40"]
Optimizer = Literal["adam", "sgd"]
# How a depth-reading model's depth input is made under attack (DEPTH_MODES describes them).
DepthMode = Literal["recompute", "perturb"]
Device = Literal["auto", "cuda", "cpu"]
Precision = Literal["bf16", "fp32"]
Schedule = Literal["plateau", "cosine"]
Selection = Literal["val_loss", "val_auc"]
# What a data set does with its missing videos or faces: stop with an error, or skip them.
Missing = Literal["error", "skip"]
Layout = Literal["ffpp", "dfd", "celebdf", "manifest"]

# A null setting on a command line.
NULL = "null"
# The kind (and folder name) of the real videos; every other kind is a forgery.
REAL_KIND = "real"
# The compression level of a data set distributed in one quality only (Celeb-DF).
NO_COMPRESSION = "none"
# The forgery of a model trained on every forgery kind of its data set against the reals.
ALL_FORGERIES = "ALL"
# The depth backend of a model that reads no depth (never a registered backend name).
NO_DEPTH = "none"
# The depth input of an evaluation: none (a model that reads no depth), a DepthMode, or
# zeros in place of every depth map (the control showing what the depth stream adds).
ZERO_DEPTH = "zero"
DepthInput = Literal["none", "recompute", "perturb", "zero"]


class Settings(BaseModel):
    """A settings section: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BackendOptions(Settings):
    """One field per registered backend of a family, holding that backend's options."""

    def options_of(self, backend: str) -> dict:
        return getattr(self, backend).model_dump()


# -- data sets ---------------------------------------------------------------------------------
class DemoSettings(Settings):
    """The miniature FF++ built offline from faces shipped in registry packages."""

    reals_per_person: int = Field(6, ge=2, description="real clips per person (three people); "
                                  "even: pairs join two people")
    frames_per_clip: int = Field(24, ge=1, description="frames of every demo video")
    seed: int = Field(0, description="seed of the demo's motion and manipulations")

    @field_validator("reals_per_person")
    @classmethod
    def _even(cls, value: int) -> int:
        if value % 2:
            raise ValueError(f"must be even, got {value}")
        return value


class DatasetSource(Settings):
    """Where a data set's videos are and how they split: all that frame extraction reads."""

    layout: Layout = Field(
        "ffpp", description="ffpp: FaceForensics++ with pair-format split files; dfd: its "
        "DeepFakeDetection actors, split by actor; celebdf: Celeb-DF v2 with its test list; "
        "manifest: any CSV/Parquet video list")
    root: str = Field(description="data set root (ffpp, dfd: holds original_sequences/ and "
                      "manipulated_sequences/; celebdf: Celeb-real/, ...; manifest: the folder "
                      "its relative paths start from)")
    splits_dir: str | None = Field(
        None, description="ffpp: folder of train/val/test.json in FF++'s pair format; "
        "null: the official FF++ splits shipped with the project")
    real_source: str = Field("youtube", description="ffpp, dfd: folder of the reals in "
                             "original_sequences/ (default under dfd: actors)")
    manifest: str | None = Field(
        None, description="manifest: the CSV or Parquet file (path, label, kind, split, group; "
        "optional compression)")
    split_fractions: list[float] = Field(
        [0.72, 0.14, 0.14], min_length=3, max_length=3,
        description="dfd, celebdf, manifest: train/val/test shares of the identities a data "
        "set does not assign itself (FF++'s 720/140/140)")

    def unread(self, kind: str) -> set[str]:
        """The fields extracting videos of `kind` does not read (changing them reruns none)."""
        read = LAYOUT_FIELDS[self.layout]
        if self.layout == "ffpp" and kind != REAL_KIND:
            read = read - {"real_source"}
        return set(type(self).model_fields) - read - {"layout", "root"}

    @field_validator("split_fractions")
    @classmethod
    def _shares(cls, value: list[float]) -> list[float]:
        if min(value) < 0 or sum(value) <= 0:
            raise ValueError(f"must be shares >= 0 with a positive sum, got {value}")
        return value


# The DatasetSource fields each layout reads, beside layout and root.
LAYOUT_FIELDS = {
    "ffpp": {"splits_dir", "real_source"},
    "dfd": {"real_source", "split_fractions"},
    "celebdf": {"split_fractions"},
    "manifest": {"manifest", "split_fractions"},
}
# What a layout changes in the defaults of a data set (keys given in the config win).
LAYOUT_DEFAULTS = {
    "dfd": {"real_source": "actors", "forgeries": ["DeepFakeDetection"], "compressions": ["c23"]},
    "celebdf": {"forgeries": ["Celeb-synthesis"], "compressions": None},
    "manifest": {"compressions": None},
}
# The top-level sections a data set may override under its own entry (datasets.<name>.<section>).
PER_DATASET_SECTIONS = ("frames", "faces")
# Face settings that shape the crops every model reads: one value for the whole run, refused
# under a data set (models are tested across data sets).
RUN_WIDE_FACE_SETTINGS = ("crop_size", "scale")


class DatasetSettings(DatasetSource):
    """One named data set: its layout, the kinds and compressions processed, the sharding."""

    forgeries: list[Token] = Field(
        ["Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures"], min_length=1,
        description="forgery kinds to process (ffpp, dfd: folders in manipulated_sequences/; "
        "celebdf: Celeb-synthesis; manifest: kinds of its fakes, required); defaults: ffpp's "
        "four methods, dfd [DeepFakeDetection], celebdf [Celeb-synthesis]")
    compressions: list[Compression] | None = Field(
        ["raw", "c40"], min_length=1,
        description=f"compression folders; null: one quality, no folder ('{NO_COMPRESSION}'); "
        "defaults: ffpp [raw, c40], dfd [c23], celebdf and manifest null")
    shards_per_kind: int = Field(1, ge=1, description="jobs per (compression, kind)")
    missing_videos: Missing = Field(
        "error", description="videos the splits name but the folders lack: error (listed when "
        "Snakemake starts, before any job) or skip (recorded skips of extraction)")
    missing_faces: Missing = Field(
        "error", description="videos left without face crops (a face in fewer than "
        "faces.min_face_share of their frames): error (when more than max_face_loss of a "
        "compression and kind's videos are, the run stops before training, naming them) or "
        "skip (any share is accepted)")
    max_face_loss: float = Field(
        0.1, ge=0, le=1, description="missing_faces error: the largest share of a compression "
        "and kind's videos that may be left without face crops")
    build_demo: DemoSettings | None = Field(
        None, description="build the demo data set at `root` (null for a real data set)")
    frames: dict[str, Any] = Field(
        {}, description="this data set's frame settings over the top-level `frames` (which "
        "hold real-data values), e.g. the demo's fewer frames per video")
    faces: dict[str, Any] = Field(
        {}, description="this data set's face detection settings over the top-level `faces` "
        "(backend, its options, min_face_share), e.g. the demo's upsample 0; not "
        f"{' or '.join(RUN_WIDE_FACE_SETTINGS)}, which shape the crops of the whole run")

    @model_validator(mode="before")
    @classmethod
    def _layout_defaults(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        layout = values.get("layout", "ffpp")
        if layout == "manifest" and not values.get("manifest"):
            raise ValueError("layout manifest needs `manifest`: the CSV or Parquet file")
        if layout == "manifest" and "forgeries" not in values:
            raise ValueError("layout manifest needs `forgeries`: the kinds of its fakes")
        return {**LAYOUT_DEFAULTS.get(layout, {}), **values}

    @model_validator(mode="after")
    def _forgery_names(self) -> DatasetSettings:
        reserved = {REAL_KIND, ALL_FORGERIES} & set(self.forgeries)
        if reserved:
            raise ValueError(f"forgery folder names {sorted(reserved)} are reserved")
        if self.build_demo is not None and self.layout != "ffpp":
            raise ValueError("the demo builder writes the ffpp layout")
        if self.layout == "celebdf" and self.compressions is not None:
            raise ValueError("Celeb-DF v2 comes in one quality: compressions must be null")
        return self

    def compression_levels(self) -> list[str]:
        return list(self.compressions) if self.compressions else [NO_COMPRESSION]


# -- frames, faces, depth ------------------------------------------------------------------------
class FrameSettings(Settings):
    """Frame sampling (extract_frames)."""

    per_video: int = Field(32, ge=1, description="frames sampled per video (DeepfakeBench's "
                           "32; the paper does not state its count)")
    stride: int | None = Field(None, ge=1, description="take every stride-th frame from the "
                               "first, per_video at most; null: per_video evenly spaced frames")


class DlibOptions(Settings):
    upsample: int = Field(1, ge=0, le=3, description="HOG: doublings of the frame first "
                          "(1 finds faces down to about 40 px)")
    landmark_model: str | None = Field(
        None, description="68-point model file; null: the one in face-recognition-models")


class DlibCnnOptions(DlibOptions):
    upsample: int = Field(1, ge=0, le=3, description="CNN (MMOD): doublings of the frame first")
    detector_model: str | None = Field(
        None, description="mmod_human_face_detector.dat; null: the one in face-recognition-models")


class DlibCascadeOptions(DlibCnnOptions):
    upsample: int = Field(1, ge=0, le=3, description="HOG, on every frame (and the CNN on a "
                          "video's middle frame where HOG finds no face in any): doublings of "
                          "the frame first")
    region_scale: float = Field(3.0, gt=1, description="where HOG misses a face: the CNN's "
                                "region, in sides of the nearest frame's face")
    region_face: int = Field(100, ge=40, description="the region is enlarged so that face is "
                             "this many px wide (the CNN's sure range)")


class FaceAlignmentOptions(Settings):
    device: Device = Field("auto", description="auto: cuda when available, else cpu")
    batch_size: int = Field(16, ge=1, description="frames per S3FD pass, and faces per FAN "
                            "pass")
    detector_model: str | None = Field(
        None, description="S3FD weights (s3fd-619a316812.pth); null: face-alignment's "
        "download, cached in $TORCH_HOME/hub/checkpoints")
    landmark_model: str | None = Field(
        None, description="2D-FAN-4 weights (2DFAN4-11f355bf06.pth.tar); null: face-alignment's "
        "download, cached in $TORCH_HOME/hub/checkpoints")
    threshold: float = Field(0.5, ge=0, le=1, description="S3FD score a box needs "
                             "(face-alignment's 0.5)")


class FaceBackendOptions(BackendOptions):
    """Options of each face backend, under the backend's name."""

    dlib: DlibOptions = DlibOptions()
    dlib_cnn: DlibCnnOptions = DlibCnnOptions()
    dlib_cascade: DlibCascadeOptions = DlibCascadeOptions()
    face_alignment: FaceAlignmentOptions = FaceAlignmentOptions()


class FaceSettings(FaceBackendOptions):
    """Face detection and the crop (crop_faces)."""

    backend: FaceBackendName = Field("dlib_cascade", description="face detector with 68 "
                                     "landmarks (dlib_cascade: HOG, then the CNN near the faces "
                                     "HOG missed: small, compressed faces)")
    crop_size: int = Field(224, ge=32, description="side of the saved crops = model input, px")
    scale: float = Field(1.3, gt=1.0, description="crop side / face box side (FF++'s 1.3)")
    min_face_share: float = Field(
        0.25, ge=0, le=1, description="a video with a face in fewer than this share of its "
        "sampled frames is a recorded skip (its few faces are likely detector errors)")


class LandmarkMeshOptions(Settings):
    focal_scale: float = Field(1.0, gt=0, description="assumed focal length, in crop sides")


class DepthAnythingOptions(Settings):
    model: str = Field(
        "depth-anything/Depth-Anything-V2-Small-hf",
        description="any transformers AutoModelForDepthEstimation: a hub id or a folder written "
        "by save_pretrained (V2 Small: Apache-2.0; Base and Large: non-commercial)")
    input_size: int = Field(518, ge=14, description="network input side, px: a multiple of "
                            "the patch size (14 for DINOv2, 16 for DPT-Large); 518 = V2's own")
    batch_size: int = Field(64, ge=1, description="crops per forward pass")
    device: Device = Field("auto", description="auto: cuda when available, else cpu")


class DepthBackendOptions(BackendOptions):
    """Options of each depth backend, under the backend's name (estimate_depth)."""

    landmark_mesh: LandmarkMeshOptions = LandmarkMeshOptions()
    depth_anything: DepthAnythingOptions = DepthAnythingOptions()


class DepthSettings(DepthBackendOptions):
    backends: list[DepthBackendName] = Field(
        ["landmark_mesh"], min_length=1,
        description="depth backends; each depth-reading model is trained on each")
    threads: int = Field(2, ge=1, description="CPU threads per depth job")


# -- training ------------------------------------------------------------------------------------
class BackboneOptions(Settings):
    """Settings of one backbone (train.backbone_options.<backbone>)."""

    split_block: int | None = Field(
        None, ge=1, description="mdn/mid split: blocks (ResNet: stages) before it; null: the "
        "family's default (EfficientNet and MobileNetV2 4, legacy_xception 3, ResNet 3)")
    pretrained_file: str | None = Field(
        None, description="local ImageNet weights (.safetensors/.pth) used when "
        "train.pretrained is true; null: the timm hub")


class TrainSettings(Settings):
    """What one training job uses (train); the paper's values by default."""

    pretrained: bool = Field(True, description="start from ImageNet weights")
    device: Device = Field("auto", description="auto: cuda when available, else cpu")
    precision: Precision = Field("bf16", description="on CUDA: bf16 autocast and channels_last, "
                                 "or fp32 (the paper's); the CPU always runs fp32")
    optimizer: Optimizer = Field("adam", description="adam (the paper's) or sgd")
    momentum: float = Field(0.9, ge=0, lt=1, description="sgd only")
    epochs: int = Field(30, ge=1, description="passes over the training faces")
    batch_size: int = Field(32, ge=1, description="images per forward pass and process")
    effective_batch: int | None = Field(
        192, ge=1, description="images per optimizer step = batch_size x accumulation x "
        "processes (the paper's 32 x 6 = 192); null: batch_size x processes")
    balanced_sampling: bool = Field(False, description="draw reals and fakes equally often "
                                    "(with replacement): for ALL, where fakes outnumber reals")
    lr: float = Field(1e-4, gt=0, description="peak learning rate")
    weight_decay: float = Field(1e-5, ge=0, description="weight decay")
    warmup_epochs: float = Field(0.0, ge=0, description="linear warmup from 0, in epochs "
                                 "(fractions allowed; the paper has none)")
    schedule: Schedule = Field("plateau", description="plateau: multiply by scheduler_factor "
                               "after scheduler_patience epochs without a lower validation "
                               "loss (the paper's); cosine: towards 0 at the end of training")
    scheduler_factor: float = Field(0.5, gt=0, lt=1, description="plateau only: the factor "
                                    "(the paper does not state it)")
    scheduler_patience: int = Field(2, ge=0, description="plateau only: patience, epochs")
    clip_grad_norm: float | None = Field(None, gt=0, description="clip the gradient's norm "
                                         "to this; null: no clipping (the paper's)")
    ema_decay: float | None = Field(None, gt=0, lt=1, description="validate, select and save "
                                    "an exponential moving average of the weights with this "
                                    "decay per step; null: the weights themselves")
    selection: Selection = Field("val_loss", description="the epoch kept: lowest validation "
                                 "loss, or highest validation AUC (ties: lower loss)")
    flip_probability: float = Field(0.5, ge=0, le=1, description="horizontal flip, training")

    def ignored(self) -> set[str]:
        """Settings this combination does not read (changing them must rerun nothing)."""
        unused = set() if self.optimizer == "sgd" else {"momentum"}
        if self.schedule != "plateau":
            unused |= {"scheduler_factor", "scheduler_patience"}
        return unused


class TrainSection(TrainSettings):
    """The training grid and the settings every training job shares."""

    dataset: Token = Field(description="the data set to train on (a key of datasets)")
    models: list[DetectorName] = Field(["rgb", "mdn"], min_length=1,
                                       description="registered detectors")
    forgeries: list[Token] = Field(
        ["Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures", ALL_FORGERIES], min_length=1,
        description=f"one model per forgery kind; {ALL_FORGERIES}: every kind of the data set")
    backbones: list[Token] = Field(
        ["mobilenetv2_100"], min_length=1,
        description="timm model names (MobileNetV2 is one of the paper code's backbones; its "
        "Xception needs the model zoo's split adapter)")
    backbone_options: dict[str, BackboneOptions] = Field(
        {}, description="per backbone: MDN split and local weights; unlisted: the defaults")
    seeds: list[int] = Field([42], min_length=1, description="one model per seed")
    processes: int = Field(1, ge=1, description="processes per training job (torchrun, one "
                           "per GPU; gloo on the CPU)")
    threads: int = Field(1, ge=1, description="CPU threads per training job")
    workers: int = Field(2, ge=0, description="loader processes per training process; 0: read "
                         "in the training process")

    def backbone(self, name: str) -> BackboneOptions:
        return self.backbone_options.get(name, BackboneOptions())

    def unused_backbone_options(self) -> list[str]:
        """Backbones with options but not in the grid: unused, or a misspelt name."""
        return sorted(set(self.backbone_options) - set(self.backbones))


# -- evaluation ----------------------------------------------------------------------------------
class AttackSettings(Settings):
    """The paper's black-box attacks, in pixel space on [0, 1] crops."""

    blur_kernel: int = Field(5, ge=1, description="BLR: odd Gaussian kernel side")
    blur_sigma_min: float = Field(4.0, gt=0, description="BLR: sigma uniform in [min, max]")
    blur_sigma_max: float = Field(8.0, gt=0, description="BLR: see blur_sigma_min")
    noise_sigmas: list[float] = Field([0.05, 0.07], min_length=1,
                                      description="NSE: sigma drawn per image from these")
    rescale_factor: float = Field(64 / 224, gt=0, le=1,
                                  description="RSC: down to this fraction of the side and back")
    translate_max: float = Field(0.1, ge=0, le=1,
                                 description="TRN: shift up to this fraction of the side")
    jpeg_quality: int = Field(75, ge=1, le=100, description="JPG: JPEG re-compression quality")

    @field_validator("blur_kernel")
    @classmethod
    def _odd(cls, value: int) -> int:
        if value % 2 == 0:
            raise ValueError(f"must be odd, got {value}")
        return value

    @model_validator(mode="after")
    def _sigma_range(self) -> AttackSettings:
        if self.blur_sigma_min > self.blur_sigma_max:
            raise ValueError(f"blur_sigma_min {self.blur_sigma_min} > blur_sigma_max "
                             f"{self.blur_sigma_max}")
        return self


class SweepSettings(Settings):
    """Severity sweeps: each attack again at each level, its drawn parameter fixed there."""

    BLR: list[Annotated[float, Field(gt=0)]] = Field(
        [1.0, 2.0, 4.0, 8.0], description="blur sigmas (kernel blur_kernel)")
    NSE: list[Annotated[float, Field(ge=0)]] = Field(
        [0.0002, 0.011, 0.025, 0.05, 0.1], description="noise sigmas on the [0, 1] pixel scale; "
        "0.011 and 0.0002 are what the paper's code gave its RGB and RGB-D models")
    RSC: list[Annotated[float, Field(gt=0, le=1)]] = Field(
        [0.75, 0.5, 64 / 224, 0.15], description="rescale factors")
    TRN: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        [0.05, 0.1, 0.2], description="largest shifts, as a fraction of the side")
    JPG: list[Annotated[int, Field(ge=1, le=100)]] = Field(
        [90, 70, 50, 30], description="JPEG qualities")


class EvaluateSettings(Settings):
    """What one evaluation job uses (evaluate)."""

    seed: int = Field(1234, description="seed of the attack draws (the same for every model)")
    device: Device = Field("auto", description="auto: cuda when available, else cpu")
    attacks: AttackSettings = AttackSettings()
    sweeps: SweepSettings = SweepSettings()


class EvaluateSection(EvaluateSettings):
    depth_modes: list[DepthMode] = Field(
        ["recompute"], min_length=1, description="depth under attack, one table each: "
        "recompute (re-estimated from the attacked crop) or perturb (the paper's: the attack "
        "applied to the stored map)")
    workers: int = Field(0, ge=0, description="loader processes per evaluation job (attacks "
                         "run in them); 0: in the evaluation process")
    datasets: list[Token] | None = Field(
        None, description="data sets to test on (keys of datasets); null: the training one")

    @field_validator("depth_modes")
    @classmethod
    def _distinct(cls, modes: list[str]) -> list[str]:
        if len(set(modes)) < len(modes):
            raise ValueError(f"names a mode twice: {modes}")
        return modes


class GradcamSettings(Settings):
    """The Grad-CAM figure: every trained detector of one cell (first backbone, depth backend
    and seed) on the same test faces."""

    faces: int = Field(4, ge=2, description="test faces shown, half real and half fake (the "
                       "first face of the first test videos)")
    compression: Compression | None = Field(
        None, description="the cell's compression; null: the training data set's first")
    forgery: Token | None = Field(
        None, description="the cell's forgery (or ALL); null: the first of train.forgeries")


class FigureSettings(Settings):
    """The figures beside the tables (depth_figure, gradcam)."""

    depth_samples: int = Field(2, ge=1, description="depth figure: test crops per video kind")
    gradcam: GradcamSettings = GradcamSettings()


class WorkflowConfig(Settings):
    """The whole config file."""

    datasets: dict[Token, DatasetSettings] = Field(min_length=1,
                                                   description="named data sets")
    frames: FrameSettings = FrameSettings()
    faces: FaceSettings = FaceSettings()
    depth: DepthSettings = DepthSettings()
    train: TrainSection
    evaluate: EvaluateSection = EvaluateSection()
    figures: FigureSettings = FigureSettings()

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


# -- command lines -------------------------------------------------------------------------------
def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_arguments(parser: argparse.ArgumentParser, model: type[Settings], prefix: str = ""
                  ) -> None:
    """One option per field of `model` (nested sections get their name as a prefix).

    Omitted options keep the model's default; values are checked by the model itself.
    """
    for name, field in model.model_fields.items():
        if _is_model(field.annotation):
            add_arguments(parser, field.annotation, f"{prefix}{name}_")
            continue
        default = "required" if field.is_required() else f"default: {field.get_default()}"
        options: dict[str, Any] = dict(dest=prefix + name, default=argparse.SUPPRESS,
                                       help=f"{field.description or ''} ({default})")
        if field.annotation is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif type(None) in get_args(field.annotation):
            options["type"] = _none_or_text
        elif get_origin(field.annotation) is list:
            options["nargs"] = "*"
        parser.add_argument(_flag(prefix + name), **options)


def _none_or_text(value: str) -> str | None:
    return None if value == NULL else value


def _values(model: type[Settings], args: argparse.Namespace, prefix: str) -> dict:
    values = {}
    for name, field in model.model_fields.items():
        if _is_model(field.annotation):
            values[name] = _values(field.annotation, args, f"{prefix}{name}_")
        elif hasattr(args, prefix + name):
            values[name] = getattr(args, prefix + name)
    return values


def from_args(model: type[Settings], args: argparse.Namespace) -> Settings:
    """The `model` settings given on a command line built by `add_arguments`."""
    try:
        return model.model_validate(_values(model, args, ""))
    except ValidationError as err:
        raise SystemExit(f"invalid {model.__name__}: {err}") from None


def to_cli(values: dict, prefix: str = "") -> str:
    """The command-line options `add_arguments` reads, for a dict of settings (quoted)."""
    words: list[str] = []
    for name, value in values.items():
        flag = _flag(prefix + name)
        if isinstance(value, dict):
            words.append(to_cli(value, f"{prefix}{name}_"))
        elif isinstance(value, bool):
            words.append(flag if value else _flag(f"no_{prefix}{name}"))
        elif isinstance(value, list):
            words.append(" ".join([flag, *(shlex.quote(str(v)) for v in value)]))
        else:
            words.append(f"{flag} {NULL if value is None else shlex.quote(str(value))}")
    return " ".join(w for w in words if w)


def config_schema_yaml() -> str:
    """The JSON schema of the config file, as YAML (kept in workflow/schemas/ for editors)."""
    import yaml

    header = ("# Generated from depthfake.settings.WorkflowConfig; do not edit. Regenerate with\n"
              "# PYTHONPATH=pipeline_steps python -m depthfake.settings\n")
    return header + yaml.safe_dump(WorkflowConfig.model_json_schema(), sort_keys=False,
                                   width=100)


if __name__ == "__main__":
    from pathlib import Path

    Path("workflow/schemas/config.schema.yaml").write_text(config_schema_yaml())
