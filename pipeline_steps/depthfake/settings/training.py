"""Training: one job's settings, per-backbone options and the training grid (train)."""

from __future__ import annotations

from pydantic import Field

from depthfake.settings.base import (
    ALL_FORGERIES,
    DetectorName,
    Device,
    Optimizer,
    Precision,
    Schedule,
    Selection,
    Settings,
    Token,
)


class BackboneOptions(Settings):
    """Settings of one backbone (train.backbone_options.<backbone>)."""

    split_block: int | None = Field(
        None, ge=1, examples=[3],
        description="mdn/mid split: blocks (ResNet: stages) before it; null: the "
        "family's default (EfficientNet and MobileNetV2 4, legacy_xception 3, ResNet 3)")
    pretrained_file: str | None = Field(
        None, examples=["weights.safetensors"],
        description="local ImageNet weights (.safetensors/.pth) used when "
        "train.pretrained is true; null: the timm hub")


class TrainSettings(Settings):
    """What one training job uses (train); the paper code's values by default where it has them."""

    pretrained: bool = Field(True, examples=[True], description="start from ImageNet weights")
    device: Device = Field("auto", examples=["cpu"],
                           description="auto: cuda when available, else cpu")
    precision: Precision = Field("fp32", examples=["bf16"],
                                 description="fp32 (the paper's) or, on CUDA, bf16 autocast "
                                 "and channels_last (this project's, faster); the CPU always "
                                 "runs fp32")
    optimizer: Optimizer = Field("adam", examples=["adam"], description="adam (the paper's) or sgd")
    momentum: float = Field(0.9, ge=0, lt=1, examples=[0.8], description="sgd only")
    epochs: int = Field(30, ge=1, examples=[2], description="passes over the training faces")
    batch_size: int = Field(32, ge=1, examples=[8],
                            description="images per forward pass and process")
    effective_batch: int | None = Field(
        192, ge=1, examples=[32],
        description="images per optimizer step = batch_size x accumulation x "
        "processes (the paper's 32 x 6 = 192); null: batch_size x processes")
    balanced_sampling: bool = Field(False, examples=[True],
                                    description="draw reals and fakes equally often "
                                    "(with replacement): for ALL, where fakes outnumber reals")
    lr: float = Field(1e-4, gt=0, examples=[0.02], description="peak learning rate")
    weight_decay: float = Field(1e-5, ge=0, examples=[0.0], description="weight decay")
    warmup_epochs: float = Field(0.0, ge=0, examples=[0.5],
                                 description="linear warmup from 0, in epochs "
                                 "(fractions allowed; the paper has none)")
    schedule: Schedule = Field("plateau", examples=["plateau"],
                               description="plateau: multiply by scheduler_factor "
                               "after scheduler_patience epochs without a lower validation "
                               "loss (the paper's); cosine: towards 0 at the end of training")
    scheduler_factor: float = Field(0.1, gt=0, lt=1, examples=[0.5],
                                    description="plateau only: the factor (the paper's "
                                    "code: torch's ReduceLROnPlateau default)")
    scheduler_patience: int = Field(10, ge=0, examples=[2],
                                    description="plateau only: patience, epochs (the "
                                    "paper's code: torch's default)")
    clip_grad_norm: float | None = Field(None, gt=0, examples=[None],
                                         description="clip the gradient's norm "
                                         "to this; null: no clipping (the paper's)")
    ema_decay: float | None = Field(None, gt=0, lt=1, examples=[None],
                                    description="validate, select and save "
                                    "an exponential moving average of the weights with this "
                                    "decay per step; null: the weights themselves")
    selection: Selection = Field("val_loss", examples=["val_auc"],
                                 description="the epoch kept: lowest validation "
                                 "loss, or highest validation AUC (ties: lower loss)")
    flip_probability: float = Field(0.5, ge=0, le=1, examples=[0.0],
                                    description="horizontal flip, training")

    def ignored(self) -> set[str]:
        """Settings this combination does not read (changing them must rerun nothing)."""
        unused = set() if self.optimizer == "sgd" else {"momentum"}
        if self.schedule != "plateau":
            unused |= {"scheduler_factor", "scheduler_patience"}
        return unused


class TrainSection(TrainSettings):
    """The training grid and the settings every training job shares."""

    dataset: Token = Field(examples=["ffpp"],
                           description="the data set to train on (a key of datasets)")
    models: list[DetectorName] = Field(["rgb", "mdn"], min_length=1,
                                       examples=[["rgb"]], description="registered detectors")
    forgeries: list[Token] = Field(
        ["Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures", ALL_FORGERIES], min_length=1,
        examples=[["FaceSwap", "Face2Face", ALL_FORGERIES]],
        description=f"one model per forgery kind; {ALL_FORGERIES}: every kind of the data set")
    backbones: list[Token] = Field(
        ["mobilenetv2_100"], min_length=1,
        examples=[["mobilenetv2_100", "mobilenetv2_035"]],
        description="timm model names (MobileNetV2 is one of the paper code's backbones; its "
        "Xception needs the model zoo's split adapter)")
    backbone_options: dict[str, BackboneOptions] = Field(
        {}, description="per backbone: MDN split and local weights; unlisted: the defaults")
    seeds: list[int] = Field([42], min_length=1, examples=[[42, 43]],
                             description="one model per seed")
    processes: int = Field(1, ge=1, examples=[2],
                           description="processes per training job (torchrun, one "
                           "per GPU; gloo on the CPU)")
    threads: int = Field(1, ge=1, examples=[2], description="CPU threads per training job")
    workers: int = Field(2, ge=0, examples=[1],
                         description="loader processes per training process; 0: read "
                         "in the training process")

    def backbone(self, name: str) -> BackboneOptions:
        return self.backbone_options.get(name, BackboneOptions())

    def unused_backbone_options(self) -> list[str]:
        """Backbones with options but not in the grid: unused, or a misspelt name."""
        return sorted(set(self.backbone_options) - set(self.backbones))
