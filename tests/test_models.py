"""Detectors from the registry: shapes, the MDN mask, checkpoints and weight loading."""

from __future__ import annotations

import json

import pytest
import timm
import torch
from safetensors.torch import save_file

from depthfake.files import UnreadableFileError
from depthfake.models import (
    DetectorConfig,
    create_detector,
    list_detectors,
    load_detector,
    save_detector,
)
from depthfake.models.backbone import PretrainedWeightsError, create_backbone
from depthfake.models.mdn import rgb_mask

SMALL = dict(backbone="mobilenetv2_050", input_size=64)
PRETRAINED_KEY = "train.backbone_options.mobilenetv2_050.pretrained_file"


@pytest.fixture
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    return torch.randn(2, 3, 64, 64), torch.randn(2, 1, 64, 64)


@pytest.mark.parametrize("name", list_detectors())
def test_every_detector_trains_one_step(name, batch):
    model = create_detector(DetectorConfig(detector=name, **SMALL))
    logits = model(*batch)
    assert logits.shape == (2, 2)
    torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1])).backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


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


def test_checkpoint_round_trip_is_exact_and_pickle_free(tmp_path, batch):
    config = DetectorConfig(detector="mdn", **SMALL)
    model = create_detector(config).eval()
    save_detector(model, config, tmp_path / "m.safetensors", tmp_path / "m.json",
                  {"cell": {"model": "mdn"}})
    loaded, loaded_config = load_detector(tmp_path / "m.safetensors", tmp_path / "m.json")
    assert loaded_config == config
    record = json.loads((tmp_path / "m.json").read_text())
    assert record["cell"] == {"model": "mdn"}
    assert record["provenance"]["code"] and record["provenance"]["packages"]["torch"]
    with torch.no_grad():
        assert torch.equal(model(*batch), loaded(*batch))


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
    config = DetectorConfig(detector="mdn", backbone="resnet18", input_size=64)
    with pytest.raises(ValueError, match="cannot be split yet"):
        create_detector(config)
    with pytest.raises(ValueError, match="split_block must be in 1..6"):
        create_detector(DetectorConfig(detector="mdn", split_block=7, **SMALL))


@pytest.mark.parametrize("name", list_detectors())
def test_only_depth_readers_depend_on_depth(name, batch):
    config = DetectorConfig(detector=name, **SMALL)
    torch.manual_seed(0)
    model = create_detector(config).eval()
    torch.nn.init.normal_(model.classifier.weight if config.reads_depth
                          else model.backbone.get_classifier().weight)
    with torch.no_grad():
        changed = not torch.allclose(model(*batch), model(batch[0], torch.zeros_like(batch[1])))
    assert changed == config.reads_depth


@pytest.mark.parametrize("name", list_detectors())
def test_new_detectors_start_at_chance(name, batch):
    logits = create_detector(DetectorConfig(detector=name, **SMALL)).eval()(*batch)
    assert torch.equal(logits, torch.zeros(2, 2))  # zero-initialised head: loss ln 2
