"""The RGB baseline: a timm backbone with a 2-way head; depth is not used."""

from __future__ import annotations

import torch
from torch import nn

from depthfake.models.backbone import create_backbone, zero_init
from depthfake.models.registry import DetectorConfig


class RGBDetector(nn.Module):
    def __init__(self, config: DetectorConfig, pretrained: bool = False,
                 pretrained_file: str | None = None):
        super().__init__()
        self.backbone = create_backbone(config.backbone, in_chans=3, num_classes=2,
                                        pretrained=pretrained, pretrained_file=pretrained_file)
        zero_init(self.backbone.get_classifier())

    def forward(self, rgb: torch.Tensor, depth: torch.Tensor | None = None) -> torch.Tensor:
        return self.backbone(rgb)
