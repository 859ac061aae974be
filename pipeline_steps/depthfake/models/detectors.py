"""The detector registry: every detector maps (rgb, depth) tensors to two logits."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import timm
from torch import nn

from depthfake.plan.catalogue import DETECTORS, reads_depth


def backbone_normalisation(backbone: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The RGB mean and std of the backbone's pretrained weights (timm's pretrained config)."""
    pretrained = timm.get_pretrained_cfg(backbone)
    if pretrained is None:
        raise ValueError(f"timm has no pretrained config for {backbone!r}")
    return tuple(pretrained.mean), tuple(pretrained.std)


@dataclass(frozen=True)
class DetectorConfig:
    """Everything needed to rebuild a detector and feed it: saved with every checkpoint.

    RGB normalisation defaults to the backbone's own (legacy_xception: mean and std 0.5), so
    for a given backbone every detector receives the same RGB values.
    """

    detector: str
    backbone: str
    input_size: int
    split_block: int | None = None  # None: the backbone family's default split
    rgb_mean: tuple[float, ...] | None = None
    rgb_std: tuple[float, ...] | None = None
    depth_mean: float = 0.5
    depth_std: float = 0.5

    def __post_init__(self) -> None:
        if self.rgb_mean is None or self.rgb_std is None:
            mean, std = backbone_normalisation(self.backbone)
            object.__setattr__(self, "rgb_mean", mean)
            object.__setattr__(self, "rgb_std", std)

    @property
    def reads_depth(self) -> bool:
        return reads_depth(self.detector)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> DetectorConfig:
        values = dict(values)
        for key in ("rgb_mean", "rgb_std"):
            values[key] = tuple(values[key])
        return cls(**values)


list_detectors = DETECTORS.names


def create_detector(config: DetectorConfig, pretrained: bool = False,
                    pretrained_file: str | None = None) -> nn.Module:
    """Build the detector that `config` names, optionally from pretrained backbone weights."""
    return DETECTORS.create(config.detector, config=config, pretrained=pretrained,
                            pretrained_file=pretrained_file)
