"""Detectors with an RGB and a depth stream (depth through a 1-channel stem): late fusion of
pooled vectors, and mid fusion of feature maps summed at the split point."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from depthfake.models.backbone import create_backbone, zero_init
from depthfake.models.detectors import DetectorConfig
from depthfake.models.splits import last_feature_layer, split_backbone, tail_feature_layer


@dataclass
class SplitStreams:
    """RGB and depth backbones cut at the config's split point."""

    rgb_front: nn.Module
    rgb_tail: nn.Module
    depth_front: nn.Module
    depth_tail: nn.Module
    num_features: int  # of each stream's pooled vector


def streams(config: DetectorConfig, pretrained: bool, pretrained_file: str | None
            ) -> tuple[nn.Module, nn.Module]:
    """The RGB (3-channel) and depth (1-channel) backbones, without heads."""
    return tuple(create_backbone(config.backbone, in_chans=channels, pretrained=pretrained,
                                 pretrained_file=pretrained_file) for channels in (3, 1))


def split_streams(config: DetectorConfig, pretrained: bool, pretrained_file: str | None
                  ) -> SplitStreams:
    rgb, depth = streams(config, pretrained, pretrained_file)
    return SplitStreams(*split_backbone(rgb, config.split_block),
                        *split_backbone(depth, config.split_block), rgb.num_features)


class LateFusion(nn.Module):
    """Two whole backbones; their pooled vectors concatenated and classified."""

    def __init__(self, config: DetectorConfig, pretrained: bool = False,
                 pretrained_file: str | None = None):
        super().__init__()
        self.rgb, self.depth = streams(config, pretrained, pretrained_file)
        self.classifier = zero_init(nn.Linear(self.rgb.num_features + self.depth.num_features, 2))

    def forward(self, rgb: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.cat([self.rgb(rgb), self.depth(depth)], dim=1))

    def cam_layers(self) -> dict[str, nn.Module]:
        """The last feature map of each backbone."""
        return {"rgb": last_feature_layer(self.rgb), "depth": last_feature_layer(self.depth)}


class MidFusion(nn.Module):
    """Both streams up to the split point, feature maps summed, then the RGB backbone's tail."""

    def __init__(self, config: DetectorConfig, pretrained: bool = False,
                 pretrained_file: str | None = None):
        super().__init__()
        split = split_streams(config, pretrained, pretrained_file)
        self.rgb_front, self.depth_front = split.rgb_front, split.depth_front
        self.tail = split.rgb_tail
        self.classifier = zero_init(nn.Linear(split.num_features, 2))

    def forward(self, rgb: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.tail(self.rgb_front(rgb) + self.depth_front(depth)))

    def cam_layers(self) -> dict[str, nn.Module]:
        """The last feature map of the shared tail, after the streams are summed."""
        return {"fused": tail_feature_layer(self.tail)}
