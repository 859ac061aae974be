"""Detectors with one backbone: RGB only (the baseline), depth only, and early fusion (RGB-D as
four input channels)."""

from __future__ import annotations

import torch
from torch import nn

from depthfake.models.backbone import add_depth_channel, create_backbone, zero_init
from depthfake.models.detectors import DetectorConfig
from depthfake.models.splits import last_feature_layer


class SingleStreamDetector(nn.Module):
    """A timm backbone with a zero-initialised 2-way head, fed by `inputs`."""

    in_chans = 3
    stream = "rgb"  # what the backbone sees, naming its Grad-CAM layer

    def __init__(self, config: DetectorConfig, pretrained: bool = False,
                 pretrained_file: str | None = None):
        super().__init__()
        self.backbone = self.adapt(create_backbone(
            config.backbone, in_chans=self.in_chans, num_classes=2, pretrained=pretrained,
            pretrained_file=pretrained_file))
        zero_init(self.backbone.get_classifier())

    @property
    def classifier(self) -> nn.Module:
        return self.backbone.get_classifier()

    def adapt(self, backbone: nn.Module) -> nn.Module:
        return backbone

    def cam_layers(self) -> dict[str, nn.Module]:
        """The layer of each stream that Grad-CAM reads: the backbone's last feature map."""
        return {self.stream: last_feature_layer(self.backbone)}

    def inputs(self, rgb: torch.Tensor, depth: torch.Tensor | None) -> torch.Tensor:
        return rgb

    def forward(self, rgb: torch.Tensor, depth: torch.Tensor | None = None) -> torch.Tensor:
        return self.backbone(self.inputs(rgb, depth))


class RGBDetector(SingleStreamDetector):
    """The RGB baseline: depth is not used."""


class DepthDetector(SingleStreamDetector):
    """Depth only, through a 1-channel stem (timm folds pretrained RGB filters into it)."""

    in_chans = 1
    stream = "depth"

    def inputs(self, rgb: torch.Tensor, depth: torch.Tensor | None) -> torch.Tensor:
        return depth


class EarlyFusion(SingleStreamDetector):
    """RGB-D as four input channels: the RGB filters of the stem kept, the depth filter
    initialised small."""

    stream = "rgb-d"

    def adapt(self, backbone: nn.Module) -> nn.Module:
        return add_depth_channel(backbone)

    def inputs(self, rgb: torch.Tensor, depth: torch.Tensor | None) -> torch.Tensor:
        return torch.cat([rgb, depth], dim=1)
