"""timm backbones: creation (random, hub or local pretrained weights) and the stream split."""

from __future__ import annotations

import os

import timm
from torch import nn


class PretrainedWeightsError(RuntimeError):
    """Pretrained weights were asked for but could not be loaded."""


def create_backbone(name: str, in_chans: int, num_classes: int = 0, pretrained: bool = False,
                    pretrained_file: str | os.PathLike | None = None) -> nn.Module:
    """A timm model; with `pretrained`, weights come from `pretrained_file` or timm's hub id
    (without `pretrained`, `pretrained_file` is not read).

    timm adapts the pretrained stem to `in_chans` itself (1 for depth).
    """
    pretrained_file = pretrained_file if pretrained else None
    if pretrained_file and not os.path.isfile(pretrained_file):
        raise PretrainedWeightsError(f"pretrained_file {pretrained_file} does not exist")
    overlay = {"file": str(pretrained_file)} if pretrained_file else None
    if not timm.is_model(name):
        raise ValueError(f"unknown timm backbone {name!r} (see timm.list_models())")
    try:
        return timm.create_model(name, pretrained=pretrained,
                                 in_chans=in_chans, num_classes=num_classes,
                                 pretrained_cfg_overlay=overlay)
    except Exception as err:  # hub, file and format errors differ by source; all mean the same
        source = f"file {pretrained_file}" if pretrained_file else f"the timm hub ({name})"
        raise PretrainedWeightsError(
            f"could not load pretrained weights of {name} from {source}: "
            f"{type(err).__name__}: {err}. Without network, download them elsewhere (timm hub "
            f"id of {name}) and set train.backbone_options.{name}.pretrained_file to the local "
            ".safetensors/.pth file, or set train.pretrained: false."
        ) from err


def zero_init(head: nn.Linear) -> nn.Linear:
    """Start a new 2-way head at zero, so training starts at chance (loss ln 2).

    timm's EfficientNet init draws a 2-way head from U(+-1/sqrt(2)), whose logits are large.
    """
    nn.init.zeros_(head.weight)
    nn.init.zeros_(head.bias)
    return head


def split_backbone(model: nn.Module, split_block: int) -> tuple[nn.Module, nn.Module]:
    """Cut a timm model into (front, tail): front gives the pre-activation feature map after
    `blocks[:split_block]`, tail continues to the pooled feature vector."""
    blocks = getattr(model, "blocks", None)
    parts = ("conv_stem", "bn1", "conv_head", "bn2")
    if blocks is None or not all(hasattr(model, part) for part in parts):
        raise ValueError(
            f"{type(model).__name__} cannot be split yet: the MDN supports timm's EfficientNet "
            "family (mobilenetv2_*, efficientnet_*)"
        )
    if not 0 < split_block < len(blocks):
        raise ValueError(f"split_block must be in 1..{len(blocks) - 1}, got {split_block}")
    front = nn.Sequential(model.conv_stem, model.bn1, *blocks[:split_block])
    tail = nn.Sequential(*blocks[split_block:], model.conv_head, model.bn2, model.global_pool)
    return front, tail
