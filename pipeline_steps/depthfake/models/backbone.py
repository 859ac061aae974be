"""timm backbones: creation (random, hub or local pretrained weights) and stem surgery."""

from __future__ import annotations

import os

import timm
import torch
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


def add_depth_channel(model: nn.Module, std: float = 1e-3) -> nn.Module:
    """Widen a 3-channel timm model's stem to RGB + depth: the RGB filters are kept as they
    are (pretrained or not), the depth filter starts small, N(0, std).

    (timm's own `in_chans=4` would tile the RGB filters and rescale them by 3/4.)
    """
    name = model.pretrained_cfg["first_conv"]
    rgb_stem = model.get_submodule(name)
    stem = nn.Conv2d(4, rgb_stem.out_channels, rgb_stem.kernel_size, rgb_stem.stride,
                     rgb_stem.padding, rgb_stem.dilation, rgb_stem.groups,
                     bias=rgb_stem.bias is not None)
    with torch.no_grad():
        stem.weight[:, :3] = rgb_stem.weight
        nn.init.normal_(stem.weight[:, 3:], std=std)
        if rgb_stem.bias is not None:
            stem.bias.copy_(rgb_stem.bias)
    model.set_submodule(name, stem)
    return model
