"""Grad-CAM reads each detector's streams at their last feature maps, through a one-input
wrapper that computes what the detector computes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from depthfake.models import DetectorConfig, create_detector, list_detectors
from depthfake.reporting.gradcam import StackedInputs, grad_cams

BACKBONE = "test_efficientnet"
SIZE = 64


def detector(name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return create_detector(DetectorConfig(name, BACKBONE, SIZE)).eval()


def inputs(count: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    return (torch.randn(count, 3, SIZE, SIZE, generator=generator),
            torch.randn(count, 1, SIZE, SIZE, generator=generator))


@pytest.mark.parametrize("name", list_detectors())
def test_the_one_input_wrapper_computes_the_detector(name):
    model, (rgb, depth) = detector(name), inputs()
    with torch.no_grad():
        torch.testing.assert_close(StackedInputs(model)(torch.cat([rgb, depth], dim=1)),
                                   model(rgb, depth))


@pytest.mark.parametrize("name", list_detectors())
def test_each_streams_layer_is_its_last_feature_map_before_the_pool(name):
    """Pooling the layer's output gives the stream's pooled feature vector (and for a
    single-stream model, what timm's forward_features gives)."""
    model, (rgb, depth) = detector(name), inputs()
    seen = {}
    hooks = [layer.register_forward_hook(lambda m, i, out, s=stream: seen.__setitem__(s, out))
             for stream, layer in model.cam_layers().items()]
    with torch.no_grad():
        model(rgb, depth)
        for hook in hooks:
            hook.remove()
        assert all(out.shape[-2:] == (SIZE // 32, SIZE // 32) for out in seen.values())
        if name == "mdn":
            rgb_features, depth_features, _ = model.masked_features(rgb, depth)
            torch.testing.assert_close(seen["rgb"].mean((2, 3)), model.rgb_tail(rgb_features))
            torch.testing.assert_close(seen["depth"].mean((2, 3)),
                                       model.depth_tail(depth_features))
        elif hasattr(model, "backbone"):
            stacked = model.inputs(rgb, depth)
            torch.testing.assert_close(next(iter(seen.values())),
                                       model.backbone.forward_features(stacked))


def test_a_stream_the_classifier_ignores_has_an_empty_map():
    """MDN's classifier reads [rgb pooled, depth pooled]: zeroing the weights of one half
    leaves that stream without gradient, so its map is zero and the other's is not."""
    rgb, depth = inputs(2)
    for silenced, heard in (("depth", "rgb"), ("rgb", "depth")):
        model = detector("mdn")
        half = model.classifier.in_features // 2
        with torch.no_grad():
            model.classifier.weight.normal_()
            columns = slice(half, None) if silenced == "depth" else slice(0, half)
            model.classifier.weight[:, columns] = 0
        maps = {m.stream: m.maps for m in grad_cams(model, rgb, depth)}
        assert np.all(maps[silenced] == 0)
        assert maps[heard].max() == pytest.approx(1.0)  # scaled to its own maximum


def test_maps_are_per_face_at_input_size_and_name_their_layers():
    rgb, depth = inputs(3)
    model = detector("mdn")
    with torch.no_grad():
        model.classifier.weight.normal_()
    maps = grad_cams(model, rgb, depth)
    assert [(m.stream, m.layer) for m in maps] == [
        ("rgb", "rgb_tail.2 (BatchNormAct2d)"), ("depth", "depth_tail.2 (BatchNormAct2d)")]
    for stream in maps:
        assert stream.maps.shape == (3, SIZE, SIZE) and stream.maps.dtype == np.float32
        assert stream.maps.min() >= 0 and stream.maps.max() <= 1
    rgb_map = grad_cams(detector("rgb"), rgb, depth)
    assert [(m.stream, m.layer) for m in rgb_map] == [("rgb", "backbone.bn2 (BatchNormAct2d)")]
