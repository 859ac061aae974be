"""The Masked Depthfake Network (Leporoni et al., 2024).

RGB and depth streams run the backbone up to a split point; the depth features are
multiplied by the hard mask 1[F_rgb > 0] (pre-activation RGB features, no gradient);
each stream continues through its own tail to a pooled vector; the concatenation is
classified by one linear layer.
"""

from __future__ import annotations

import torch
from torch import nn

from depthfake.models.backbone import zero_init
from depthfake.models.detectors import DetectorConfig
from depthfake.models.splits import tail_feature_layer
from depthfake.models.two_stream import split_streams


def rgb_mask(rgb_features: torch.Tensor) -> torch.Tensor:
    """1 where the RGB features are positive, else 0; a constant for autograd."""
    return (rgb_features.detach() > 0).to(rgb_features.dtype)


class MaskedDepthfakeNetwork(nn.Module):
    def __init__(self, config: DetectorConfig, pretrained: bool = False,
                 pretrained_file: str | None = None):
        super().__init__()
        split = split_streams(config, pretrained, pretrained_file)
        self.rgb_front, self.rgb_tail = split.rgb_front, split.rgb_tail
        self.depth_front, self.depth_tail = split.depth_front, split.depth_tail
        self.classifier = zero_init(nn.Linear(2 * split.num_features, 2))

    def masked_features(self, rgb: torch.Tensor, depth: torch.Tensor
                        ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """RGB features, masked depth features and the mask, at the split point."""
        rgb_features = self.rgb_front(rgb)
        mask = rgb_mask(rgb_features)
        return rgb_features, self.depth_front(depth) * mask, mask

    def forward(self, rgb: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
        rgb_features, depth_features, _ = self.masked_features(rgb, depth)
        pooled = torch.cat([self.rgb_tail(rgb_features), self.depth_tail(depth_features)], dim=1)
        return self.classifier(pooled)

    def cam_layers(self) -> dict[str, nn.Module]:
        """The last feature map of each stream's tail (the depth tail reads the masked
        features)."""
        return {"rgb": tail_feature_layer(self.rgb_tail),
                "depth": tail_feature_layer(self.depth_tail)}
