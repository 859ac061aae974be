"""Detectors from the registry: shapes, the MDN mask, checkpoints and weight loading."""

from __future__ import annotations

import json

import numpy as np
import pytest
import timm
import torch
from safetensors.torch import save_file
from torch import nn

from depthfake.datasets.loader import FaceBatch
from depthfake.models import (
    DetectorConfig,
    create_detector,
    list_detectors,
    load_detector,
    save_detector,
)
from depthfake.models.backbone import PretrainedWeightsError, create_backbone
from depthfake.models.mdn import rgb_mask
from depthfake.models.splits import FAMILIES, split_backbone
from depthfake.plan.catalogue import SPLIT_FAMILIES, splits_backbone
from depthfake.storage.files import UnreadableFileError
from depthfake.training.inputs import DeviceInputs

SMALL = dict(backbone="mobilenetv2_050", input_size=64)
# The backbones the model zoo supports: the paper's Xception and three other families.
LISTED = ["legacy_xception", *(f"efficientnet_b{i}" for i in range(5)), "mobilenetv2_100",
          "resnet50"]
# Input channels of each detector's stem(s): RGB 3, depth 1, RGB-D 4.
STEM_CHANNELS = {"rgb": {3}, "depth": {1}, "early": {4}, "late": {1, 3}, "mid": {1, 3},
                 "mdn": {1, 3}}
PRETRAINED_KEY = "train.backbone_options.mobilenetv2_050.pretrained_file"


@pytest.fixture
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    return torch.randn(2, 3, 64, 64), torch.randn(2, 1, 64, 64)


def stem_channels(model: nn.Module) -> set[int]:
    """In-channels of the stems: the dense spatial convolutions reading at most 4 channels."""
    return {m.in_channels for m in model.modules() if isinstance(m, nn.Conv2d)
            and m.in_channels <= 4 and m.groups == 1 and m.kernel_size != (1, 1)}


def test_the_zoo_is_the_registry():
    assert set(list_detectors()) == set(STEM_CHANNELS)


@pytest.mark.parametrize("backbone", LISTED)
@pytest.mark.parametrize("name", list_detectors())
def test_every_detector_trains_one_step_on_every_listed_backbone(name, backbone, batch):
    model = create_detector(DetectorConfig(detector=name, backbone=backbone, input_size=64))
    assert stem_channels(model) == STEM_CHANNELS[name]
    logits = model(*batch)
    assert logits.shape == (2, 2)
    torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1])).backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


@pytest.mark.parametrize("backbone", LISTED)
def test_every_listed_backbone_splits_exactly_where_features_carry_a_sign(backbone):
    torch.manual_seed(0)
    model = timm.create_model(backbone, num_classes=0).eval()
    for norm in model.modules():  # trained-like scales: timm zero-initialises ResNet's last BNs
        if isinstance(norm, nn.BatchNorm2d):
            nn.init.uniform_(norm.weight, 0.5, 1.5)
            nn.init.normal_(norm.bias, 0, 0.1)
    image = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        pooled = model(image)
        front, tail = split_backbone(model, None)
        features = front(image)
        assert (features < 0).any() and (features > 0).any()  # 1[F > 0] is not all ones
        assert torch.allclose(tail(features), pooled, atol=1e-5)  # front then tail = backbone


@pytest.mark.parametrize("backbone,channels", [("legacy_xception", 728), ("resnet50", 1024)])
@pytest.mark.parametrize("name", sorted(n for n in list_detectors() if splits_backbone(n)))
def test_the_paper_split_of_xception_and_resnet50_at_224_px(name, backbone, channels):
    model = create_detector(DetectorConfig(detector=name, backbone=backbone, input_size=224))
    with torch.no_grad():
        assert model.rgb_front(torch.randn(1, 3, 224, 224)).shape == (1, channels, 14, 14)
        assert model.depth_front(torch.randn(1, 1, 224, 224)).shape == (1, channels, 14, 14)


def test_late_fusion_builds_for_xception_and_resnet50():
    for backbone in ("legacy_xception", "resnet50"):
        model = create_detector(DetectorConfig(detector="late", backbone=backbone,
                                               input_size=224))
        assert model.classifier.in_features == 2 * 2048


@pytest.mark.parametrize("backbone", ["legacy_xception", "resnet50", "mobilenetv2_100"])
def test_every_detector_of_a_backbone_receives_the_same_rgb_values(backbone):
    crops = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (1, 8, 8, 3), np.uint8))
    batch = FaceBatch(crops, torch.zeros(1, 8, 8), torch.zeros(1, dtype=torch.int64),
                      torch.zeros(1, dtype=torch.bool))
    configs = [DetectorConfig(detector=name, backbone=backbone, input_size=8)
               for name in list_detectors()]
    first = DeviceInputs(configs[0], torch.device("cpu"))(batch)[0]
    assert all(torch.equal(DeviceInputs(c, torch.device("cpu"))(batch)[0], first)
               for c in configs)
    expected = (0.5,) * 3 if backbone == "legacy_xception" else (0.485, 0.456, 0.406)
    assert all(c.rgb_mean == expected for c in configs)


def test_mdn_mask_is_the_sign_of_rgb_features_and_carries_no_gradient(batch):
    model = create_detector(DetectorConfig(detector="mdn", **SMALL))
    rgb_features, masked_depth, mask = model.masked_features(*batch)
    assert rgb_features.shape == (2, 32, 4, 4)  # mobilenetv2_050 after blocks[:4] at 64 px
    assert torch.equal(mask, (rgb_features > 0).float())
    assert 0 < mask.mean() < 1 and not mask.requires_grad
    depth_features = model.depth_front(batch[1])
    assert torch.equal(masked_depth, depth_features * mask)
    # gradient of the masked depth reaches the depth stream only, never the RGB stream
    model.zero_grad()
    masked_depth.sum().backward()
    assert all(p.grad is None for p in model.rgb_front.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.depth_front.parameters())


def test_rgb_mask_on_known_values():
    features = torch.tensor([[-1.0, 0.0, 2.0]], requires_grad=True)
    assert rgb_mask(features).tolist() == [[0.0, 0.0, 1.0]]


@pytest.mark.parametrize("name", list_detectors())
def test_checkpoint_round_trip_is_exact_and_pickle_free(name, tmp_path, batch):
    config = DetectorConfig(detector=name, **SMALL)
    model = create_detector(config).eval()
    torch.nn.init.normal_(model.classifier.weight)  # non-zero logits to compare
    save_detector(model, config, tmp_path / "m.safetensors", tmp_path / "m.json",
                  {"cell": {"model": name}})
    loaded, loaded_config = load_detector(tmp_path / "m.safetensors", tmp_path / "m.json")
    assert loaded_config == config
    record = json.loads((tmp_path / "m.json").read_text())
    assert record["cell"] == {"model": name}
    assert record["provenance"]["code"] and record["provenance"]["packages"]["torch"]
    with torch.no_grad():
        logits = model(*batch)
        assert torch.equal(logits, loaded(*batch)) and logits.abs().sum() > 0


def test_checkpoint_with_foreign_names_is_refused(tmp_path):
    config = DetectorConfig(detector="rgb", **SMALL)
    save_file({"head.weight": torch.zeros(2, 2)}, str(tmp_path / "bad.safetensors"))
    (tmp_path / "bad.json").write_text(json.dumps({"config": config.to_dict()}))
    with pytest.raises(RuntimeError, match="Missing key"):
        load_detector(tmp_path / "bad.safetensors", tmp_path / "bad.json")


def test_pretrained_weights_load_from_a_local_file(tmp_path):
    reference = timm.create_model("mobilenetv2_050", pretrained=False)
    path = tmp_path / "mobilenetv2_050.safetensors"
    save_file(reference.state_dict(), str(path))
    rgb = create_backbone("mobilenetv2_050", in_chans=3, num_classes=2, pretrained=True,
                          pretrained_file=path)
    assert torch.equal(rgb.conv_stem.weight, reference.conv_stem.weight)
    assert torch.equal(rgb.blocks[3][0].conv_pw.weight, reference.blocks[3][0].conv_pw.weight)
    depth = create_backbone("mobilenetv2_050", in_chans=1, pretrained=True, pretrained_file=path)
    # timm folds the RGB stem into one channel by summing its filters
    assert torch.allclose(depth.conv_stem.weight, reference.conv_stem.weight.sum(1, keepdim=True))
    mdn = create_detector(DetectorConfig(detector="mdn", **SMALL), pretrained=True,
                          pretrained_file=str(path))
    scratch = create_backbone("mobilenetv2_050", in_chans=3, pretrained=False, pretrained_file=path)
    assert not torch.equal(scratch.conv_stem.weight, reference.conv_stem.weight)
    assert torch.equal(mdn.rgb_front[0].weight, reference.conv_stem.weight)


def test_pretrained_without_network_or_file_is_one_clear_error(tmp_path):
    with pytest.raises(PretrainedWeightsError, match=PRETRAINED_KEY):
        create_backbone("mobilenetv2_050", in_chans=3, pretrained=True)
    with pytest.raises(PretrainedWeightsError, match="does not exist"):
        create_backbone("mobilenetv2_050", in_chans=3, pretrained=True,
                        pretrained_file=tmp_path / "none.pth")


def test_a_garbage_weights_file_is_named(tmp_path):
    garbage = tmp_path / "weights.safetensors"
    garbage.write_bytes(b"\xff" * 64)
    with pytest.raises(PretrainedWeightsError, match=f"file {garbage}.*{PRETRAINED_KEY}"):
        create_backbone("mobilenetv2_050", in_chans=3, pretrained=True, pretrained_file=garbage)


def test_an_unknown_backbone_is_named():
    with pytest.raises(ValueError, match="unknown timm backbone 'mobilenetv9'"):
        create_backbone("mobilenetv9", in_chans=3)


def test_broken_checkpoint_files_are_named(tmp_path, batch):
    config = DetectorConfig(detector="rgb", **SMALL)
    weights, meta = tmp_path / "m.safetensors", tmp_path / "m.json"
    save_detector(create_detector(config), config, weights, meta, {})
    good_meta = meta.read_bytes()
    meta.write_bytes(b"\x89PNG\xff\xfe" * 8)
    with pytest.raises(UnreadableFileError, match=f"{meta} is not a readable checkpoint JSON"):
        load_detector(weights, meta)
    meta.write_bytes(good_meta)
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(UnreadableFileError, match=f"{weights} is not a readable safetensors"):
        load_detector(weights, meta)


def test_unsupported_split_is_explained():
    config = DetectorConfig(detector="mdn", backbone="convnext_atto", input_size=64)
    with pytest.raises(ValueError, match="ConvNeXt .module convnext. cannot be split: the "
                       "supported families are efficientnet .*; xception .legacy_xception.; "
                       "resnet"):
        create_detector(config)
    with pytest.raises(ValueError, match="must be in 1..6 for efficientnet models, got 7"):
        create_detector(DetectorConfig(detector="mdn", split_block=7, **SMALL))
    with pytest.raises(ValueError, match="must be in 1..3 for resnet models, got 4"):
        create_detector(DetectorConfig(detector="mid", backbone="resnet50", split_block=4,
                                       input_size=64))


def test_every_family_the_workflow_accepts_has_an_adapter():
    assert set(SPLIT_FAMILIES) == set(FAMILIES)


def test_early_fusion_keeps_the_rgb_filters_and_starts_depth_small(tmp_path):
    reference = timm.create_model("mobilenetv2_050", pretrained=False)
    path = tmp_path / "mobilenetv2_050.safetensors"
    save_file(reference.state_dict(), str(path))
    model = create_detector(DetectorConfig(detector="early", **SMALL), pretrained=True,
                            pretrained_file=str(path))
    stem = model.backbone.conv_stem.weight
    assert stem.shape[1] == 4 and torch.equal(stem[:, :3], reference.conv_stem.weight)
    assert 0 < stem[:, 3].std() < 2e-3


@pytest.mark.parametrize("name", list_detectors())
def test_only_depth_readers_depend_on_depth(name, batch):
    config = DetectorConfig(detector=name, **SMALL)
    torch.manual_seed(0)
    model = create_detector(config).eval()
    torch.nn.init.normal_(model.classifier.weight)
    with torch.no_grad():
        changed = not torch.allclose(model(*batch), model(batch[0], torch.zeros_like(batch[1])))
    assert changed == config.reads_depth


@pytest.mark.parametrize("name", list_detectors())
def test_new_detectors_start_at_chance(name, batch):
    logits = create_detector(DetectorConfig(detector=name, **SMALL)).eval()(*batch)
    assert torch.equal(logits, torch.zeros(2, 2))  # zero-initialised head: loss ln 2
