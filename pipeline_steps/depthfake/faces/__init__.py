"""Face detection with 68 landmarks behind one interface, and the FF++ crop convention;
`downscaled` runs a detector on frames cut to a largest side (for large videos)."""

from depthfake.faces.base import Face, FaceDetector, create_face_detector, list_face_backends
from depthfake.faces.crop import FaceCrop, crop_face, largest_face, square_box

__all__ = [
    "Face", "FaceCrop", "FaceDetector", "create_face_detector", "crop_face", "largest_face",
    "list_face_backends", "square_box",
]
