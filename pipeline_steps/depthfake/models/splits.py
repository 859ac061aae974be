"""Cutting a timm backbone into a front and a tail, one adapter per backbone family.

The front ends where the features still carry a sign (before the activation), as the MDN's
mask 1[F > 0] needs; front then tail computes exactly the backbone's pooled features.
timm's generic feature taps do not give these points (legacy_xception has no tap after
block 3, MobileNetV2's taps skip blocks[:4], ResNet's stage outputs follow a ReLU).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from depthfake.plan.catalogue import SPLIT_FAMILIES


@dataclass(frozen=True)
class SplitFamily:
    """How to cut one family of timm models; `split` counts the blocks (stages) in front."""

    default_split: int
    splits: Callable[[nn.Module], int]  # the largest valid split of a model
    cut: Callable[[nn.Module, int], tuple[nn.Module, nn.Module]]
    last_features: str  # the module giving the last feature map, before the global pool


def cut_efficientnet(model: nn.Module, split: int) -> tuple[nn.Module, nn.Module]:
    """After `blocks[:split]`: each block ends in a batch norm plus its residual."""
    front = nn.Sequential(model.conv_stem, model.bn1, *model.blocks[:split])
    tail = nn.Sequential(*model.blocks[split:], model.conv_head, model.bn2, model.global_pool)
    return front, tail


XCEPTION_BLOCKS = 12


def cut_xception(model: nn.Module, split: int) -> tuple[nn.Module, nn.Module]:
    """After `block<split>`: entry and middle blocks end in a batch norm plus the skip (the
    paper's split is block 3: 728 channels at 1/16 of the input)."""
    blocks = [getattr(model, f"block{i}") for i in range(1, XCEPTION_BLOCKS + 1)]
    stem = [model.conv1, model.bn1, model.act1, model.conv2, model.bn2, model.act2]
    exit_flow = [model.conv3, model.bn3, model.act3, model.conv4, model.bn4, model.act4]
    return (nn.Sequential(*stem, *blocks[:split]),
            nn.Sequential(*blocks[split:], *exit_flow, model.global_pool))


RESNET_STAGES = ("layer1", "layer2", "layer3", "layer4")


def cut_resnet(model: nn.Module, split: int) -> tuple[nn.Module, nn.Module]:
    """After stage `split`, before the final ReLU of its last block, which moves to the tail."""
    stages = [getattr(model, name) for name in RESNET_STAGES]
    last = stages[split - 1][-1]
    final_act = "act3" if hasattr(last, "act3") else "act2"  # Bottleneck or BasicBlock
    setattr(last, final_act, nn.Identity())
    front = nn.Sequential(model.conv1, model.bn1, model.act1, model.maxpool, *stages[:split])
    tail = nn.Sequential(nn.ReLU(), *stages[split:], model.global_pool)
    return front, tail


# timm module of the model -> family (the names and examples are in depthfake.plan.catalogue).
FAMILIES = {
    "efficientnet": SplitFamily(4, lambda model: len(model.blocks) - 1, cut_efficientnet, "bn2"),
    "xception": SplitFamily(3, lambda model: XCEPTION_BLOCKS - 1, cut_xception, "act4"),
    "resnet": SplitFamily(3, lambda model: len(RESNET_STAGES) - 1, cut_resnet, "layer4"),
}


def family_name(model: nn.Module) -> str:
    """The timm module that defines the model's class (`resnet`, `efficientnet`, ...)."""
    return type(model).__module__.rsplit(".", 1)[-1]


def split_family(model: nn.Module) -> SplitFamily:
    """The family of a timm model, or one error listing the supported ones."""
    family = FAMILIES.get(family_name(model))
    if family is None:
        supported = "; ".join(f"{name} ({examples})" for name, examples in SPLIT_FAMILIES.items())
        raise ValueError(f"timm model {type(model).__name__} (module {family_name(model)}) "
                         f"cannot be split: the supported families are {supported}")
    return family


def split_backbone(model: nn.Module, split_block: int | None) -> tuple[nn.Module, nn.Module]:
    """(front, tail) of a timm model cut after `split_block` blocks (None: the family's
    default); front gives the pre-activation feature map, tail the pooled feature vector."""
    family = split_family(model)
    split = family.default_split if split_block is None else split_block
    if not 0 < split <= family.splits(model):
        raise ValueError(f"split_block must be in 1..{family.splits(model)} for "
                         f"{family_name(model)} models, got {split}")
    return family.cut(model, split)


def last_feature_layer(model: nn.Module) -> nn.Module:
    """The module of a whole timm model that gives its last feature map (before the global
    pool): the family's, or else the last of timm's feature taps."""
    family = FAMILIES.get(family_name(model))
    name = family.last_features if family else model.feature_info[-1]["module"]
    return model.get_submodule(name)


def tail_feature_layer(tail: nn.Module) -> nn.Module:
    """The module of a tail (from `split_backbone`) that gives its last feature map: every
    tail ends with the global pool, after it."""
    return tail[-2]
