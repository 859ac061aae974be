"""The HTML pages of a detection batch: one per video (verdict, score, the fake probability
over the video's time, its most and least suspicious frames with crop, depth and each
stream's Grad-CAM, the bundle's card summary and what made the page) and an index of the
batch. Self-contained (images inline as data URIs, no script); every name is escaped."""

from __future__ import annotations

import base64
import html
import io
from urllib.parse import quote

import cv2
import numpy as np
from pytorch_grad_cam.utils.image import show_cam_on_image

from depthfake.bundles.load import DEMO_WARNING, Bundle
from depthfake.bundles.threshold import interval_text
from depthfake.detect.score import FACELESS_RULE, SCORED, Explained, VideoScore
from depthfake.reporting.plots import plt
from depthfake.reporting.style import PAGE_STYLE, VERDICT_STYLE

STYLE = PAGE_STYLE + VERDICT_STYLE + (
    ".none{color:#666}.warning{background:#fff3cd;border:1px solid #e0c36c;padding:.6em 1em}"
    "figure{display:inline-block;margin:0 .6em .6em 0;text-align:center;font-size:12px}"
    "figure img{width:160px;height:160px;image-rendering:pixelated}"
    "img.timeline{max-width:100%}")
# Robustness rows shown on a page; the card holds them all.
ROBUSTNESS_ROWS = 12


def escaped(value: object) -> str:
    return html.escape(str(value), quote=True)


def png_uri(image: np.ndarray) -> str:
    """An RGB uint8 image as a data: URI."""
    ok, data = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError("an image could not be encoded as PNG")
    return "data:image/png;base64," + base64.b64encode(data.tobytes()).decode()


def depth_image(depth: np.ndarray) -> np.ndarray:
    """A depth map in [0, 1] as a magma image (uint8 RGB)."""
    colours = plt.get_cmap("magma")(np.clip(depth, 0, 1))[..., :3]
    return (255 * colours).round().astype(np.uint8)


def timeline_uri(video: VideoScore, threshold: float) -> str:
    """The fake probability of each sampled frame over time (gaps: frames without a face),
    with the threshold, as a PNG data URI."""
    times = video.times()
    x = np.array([frame if t is None else t for frame, t in zip(video.frames, times,
                                                                  strict=True)], float)
    y = np.array([np.nan if p is None else p for p in video.prob_fake], float)
    figure, axis = plt.subplots(figsize=(8, 2.2), dpi=100, layout="constrained")
    axis.plot(x, y, marker="o", markersize=3, linewidth=1.2, color="#1f4e9a")
    faceless = x[~np.array(video.has_face, bool)]
    if faceless.size:
        axis.plot(faceless, np.zeros_like(faceless), "x", color="#999", label="no face")
    axis.axhline(threshold, color="#b00020", linestyle="--", linewidth=1,
                 label=f"threshold {threshold:.3f}")
    axis.set_ylim(-0.03, 1.03)
    axis.set_ylabel("p(fake)")
    axis.set_xlabel("time (s)" if video.fps else "frame")
    axis.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=2, fontsize=8, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def figure_html(uri: str, caption: str) -> str:
    return (f'<figure><img src="{uri}" alt="{escaped(caption)}">'
            f"<figcaption>{escaped(caption)}</figcaption></figure>")


def explained_html(frame: Explained, label: str) -> str:
    image = frame.crop.astype(np.float32) / 255
    panels = [figure_html(png_uri(frame.crop), "crop")]
    if frame.depth is not None:
        panels.append(figure_html(png_uri(depth_image(frame.depth)), "depth map"))
    panels += [figure_html(png_uri(show_cam_on_image(image, stream.maps[0], use_rgb=True)),
                           f"Grad-CAM, {stream.stream} stream")
               for stream in frame.maps]
    return (f"<h3>{escaped(label)}: frame {frame.frame}, p(fake) {frame.prob_fake:.3f}</h3>"
            f"<div>{''.join(panels)}</div>")


def verdict_html(video: VideoScore) -> str:
    if video.outcome != SCORED:
        return f'<span class="none">could not score: {escaped(video.reason)}</span>'
    return f'<span class="{escaped(video.verdict)}">{escaped(video.verdict)}</span>'


def table_html(header: list[str], rows: list[list[str]]) -> str:
    """A table of already-escaped cells."""
    head = "".join(f"<th>{escaped(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def bundle_html(bundle: Bundle) -> str:
    """The bundle's card summary: protocol, test metrics, robustness, digest."""
    meta, pre = bundle.meta, bundle.preprocessing
    cell, test = meta["training"]["cell"], meta["test"]
    depth = pre["depth"]
    protocol = (f"{cell['model']} on {cell['backbone']}, trained on {cell['dataset']} "
                f"({cell['compression']}, forgery {cell['forgery']}, seed {cell['seed']}); "
                f"frames {pre['frames']}; faces {pre['faces']['backend']}, "
                f"{pre['faces']['crop_size']} px crops at {pre['faces']['scale']}x; depth "
                f"{'none' if depth is None else depth['backend']}")
    at = test["at_threshold"]
    metrics = table_html(
        ["threshold", "accuracy %", "balanced accuracy %", "video AUC", "test videos"],
        [[escaped(f"{test[name]['threshold']:.4f}"),
          escaped(interval_text(test[name]["accuracy"], True)),
          escaped(interval_text(test[name]["balanced_accuracy"], True)),
          escaped(interval_text(test["video_auc"], False)), escaped(test["videos"])]
         for name in ("at_0.5", "at_threshold")])
    rows = [[escaped(row["mode"]), escaped(row["condition"]), escaped(row["depth_input"]),
             escaped(interval_text(row["frame_accuracy"], True)),
             escaped(interval_text(row["video_auc"], False))]
            for row in meta["robustness"][:ROBUSTNESS_ROWS]]
    robustness = (table_html(["depth mode", "condition", "depth input", "frame accuracy %",
                              "video AUC"], rows) if rows else "<p>No robustness table holds "
                  "this cell.</p>")
    return (f"<h2>The detector</h2><p>{escaped(meta['name'])}: {escaped(protocol)}.</p>"
            f"<p>Threshold {at['threshold']:.4f}: {escaped(meta['threshold']['rule'])}.</p>"
            f"{metrics}<h3>Robustness (the run's tables, over its seeds)</h3>{robustness}"
            f"<p>Weights SHA-256 <code>{escaped(bundle.digest)}</code>, from "
            f"{escaped(bundle.source)}.</p>")


def page(title: str, body: str, bundle: Bundle, commit: str) -> str:
    warning = f'<p class="warning">{escaped(DEMO_WARNING)}</p>' if bundle.is_demo else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escaped(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            f"{warning}{body}{bundle_html(bundle)}"
            f"<hr><p>Made by depthfake {escaped(commit)} with bundle "
            f"<code>{escaped(bundle.digest[:16])}</code>.</p>\n</body></html>\n")


def video_page(video: VideoScore, name: str, bundle: Bundle, commit: str) -> str:
    """The page of one video."""
    score = "" if video.score is None else (
        f" Score {video.score:.3f} (threshold {bundle.threshold:.3f}), from "
        f"{video.faced_frames} of {len(video.frames)} sampled frames with a face.")
    body = [f"<h1>{escaped(name)}</h1>", f"<p>Verdict: {verdict_html(video)}.{escaped(score)}"
            "</p>"]
    if video.frames:
        body.append(f'<img class="timeline" src="{timeline_uri(video, bundle.threshold)}" '
                    'alt="fake probability over the video">')
        body.append(f"<p>{escaped(FACELESS_RULE.capitalize())}. Every frame's probability is "
                    "in frames.csv and frames.json beside this page.</p>")
    labels = ["Most suspicious frame", "Least suspicious frame"]
    body += [explained_html(frame, label) for frame, label in zip(video.explained, labels,
                                                                  strict=False)]
    if video.explained:
        body.append("<p>Grad-CAM of the fake class (red: most evidence), each map scaled to "
                    "its own maximum.</p>")
    return page(name, "".join(body), bundle, commit)


def index_page(videos: list[tuple[VideoScore, str, str]], bundle: Bundle, commit: str) -> str:
    """The batch's index: per video (its result, shown name, page link) its verdict."""
    scored = sum(video.outcome == SCORED for video, _, _ in videos)
    rows = [[f'<a href="{escaped(quote(link))}">{escaped(name)}</a>', verdict_html(video),
             "" if video.score is None else f"{video.score:.3f}",
             f"{video.faced_frames} of {len(video.frames)}"]
            for video, name, link in videos]
    body = (f"<h1>Detection of {len(videos)} videos</h1><p>{scored} scored, "
            f"{len(videos) - scored} could not be scored.</p>"
            + table_html(["video", "verdict", "score", "frames with a face"], rows))
    return page("depthfake detection", body, bundle, commit)
