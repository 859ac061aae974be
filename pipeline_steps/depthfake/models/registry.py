"""The detector registry: every detector maps (rgb, depth) tensors to two logits."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from torch import nn

from depthfake.catalogue import DETECTORS, reads_depth
from depthfake.settings import BackboneOptions

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class DetectorConfig:
    """Everything needed to rebuild a detector and feed it: saved with every checkpoint."""

    detector: str
    backbone: str
    input_size: int
    split_block: int = BackboneOptions.model_fields["split_block"].default
    rgb_mean: tuple[float, ...] = IMAGENET_MEAN
    rgb_std: tuple[float, ...] = IMAGENET_STD
    depth_mean: float = 0.5
    depth_std: float = 0.5

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
