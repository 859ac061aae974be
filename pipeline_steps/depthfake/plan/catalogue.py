"""Every registered detector and backend name, defined once and readable without torch.

Adding a detector or a backend is its class plus one line in its registry here (a detector
that reads depth, or cuts its backbone at the split point, also joins the sets below; a
backend also gets its options model in `depthfake.settings`, under the same name).
"""

from __future__ import annotations

from depthfake.plan._registry import Registry

DETECTORS = Registry("detector", {
    "rgb": "depthfake.models.single_stream:RGBDetector",
    "depth": "depthfake.models.single_stream:DepthDetector",
    "early": "depthfake.models.single_stream:EarlyFusion",
    "late": "depthfake.models.two_stream:LateFusion",
    "mid": "depthfake.models.two_stream:MidFusion",
    "mdn": "depthfake.models.mdn:MaskedDepthfakeNetwork",
})
# Detectors that read depth maps; the others are trained and tested without them.
DEPTH_READERS = frozenset({"depth", "early", "late", "mid", "mdn"})
# Detectors that cut their backbone at train.backbone_options.<backbone>.split_block.
BACKBONE_SPLITTERS = frozenset({"mid", "mdn"})
# Backbone families (timm's module names) with a split adapter in depthfake.models.splits,
# with examples.
SPLIT_FAMILIES = {
    "efficientnet": "efficientnet_*, mobilenetv2_*, test_efficientnet",
    "xception": "legacy_xception",
    "resnet": "resnet*, seresnet*, resnext*",
}

FACE_BACKENDS = Registry("face backend", {
    "dlib": "depthfake.faces.dlib_backend:DlibFaceDetector",
    "dlib_cnn": "depthfake.faces.dlib_backend:DlibCnnFaceDetector",
    "dlib_cascade": "depthfake.faces.cascade_backend:DlibCascadeDetector",
    "face_alignment": "depthfake.faces.face_alignment_backend:FaceAlignmentDetector",
})

DEPTH_BACKENDS = Registry("depth backend", {
    "depth_anything": "depthfake.depth.neural:load_neural_depth",
    "landmark_mesh": "depthfake.depth.landmark_mesh:LandmarkMeshDepth",
})


def reads_depth(detector: str) -> bool:
    """Whether the registered detector `detector` reads depth maps."""
    return DETECTORS.check(detector) in DEPTH_READERS


def splits_backbone(detector: str) -> bool:
    """Whether the registered detector `detector` uses the backbone's split point."""
    return DETECTORS.check(detector) in BACKBONE_SPLITTERS
