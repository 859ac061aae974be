"""Frame sampling decodes the right frames; broken videos raise one clear error."""

from __future__ import annotations

import numpy as np
import pytest

from depthfake.datasets.video import VideoError, read_sampled_frames, sample_indices, write_h264


def numbered_frames(count: int) -> list[np.ndarray]:
    """Frames whose left and right grey levels encode their index in base 16, in steps of 16
    (robust to the colour conversion of H.264's 4:2:0)."""
    frames = []
    for i in range(count):
        frame = np.zeros((64, 64, 3), np.uint8)
        frame[:, :32], frame[:, 32:] = 16 * (i % 16), 16 * (i // 16)
        frames.append(frame)
    return frames


def frame_number(frame: np.ndarray) -> int:
    return int(round(frame[:, :32].mean() / 16)) + 16 * int(round(frame[:, 32:].mean() / 16))


def test_sample_indices_are_evenly_spaced():
    assert sample_indices(100, 5) == [0, 25, 50, 74, 99]
    assert sample_indices(3, 8) == [0, 1, 2]
    assert sample_indices(0, 8) == []
    assert sample_indices(100, 5, stride=10) == [0, 10, 20, 30, 40]
    assert sample_indices(25, 5, stride=10) == [0, 10, 20]


@pytest.mark.parametrize("count,n,stride", [(20, 4, None), (120, 3, None), (120, 3, 50),
                                            (20, 4, 3)])  # 120/3 and 50: gaps long enough to seek
def test_sampled_frames_are_the_indexed_ones(tmp_path, count, n, stride):
    path = tmp_path / "numbered.mp4"
    write_h264(path, numbered_frames(count), fps=25, crf=0)
    indices, frames = read_sampled_frames(path, n, stride)
    assert indices == sample_indices(count, n, stride)
    assert [frame_number(f) for f in frames] == indices


def test_truncated_video_raises(tmp_path):
    path = tmp_path / "cut.mp4"
    write_h264(path, [np.random.default_rng(i).integers(0, 255, (64, 64, 3), np.uint8)
                      for i in range(40)], fps=25, crf=0)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(VideoError):
        read_sampled_frames(path, 8)


def test_missing_and_garbage_files_raise(tmp_path):
    with pytest.raises(VideoError, match="file not found"):
        read_sampled_frames(tmp_path / "none.mp4", 4)
    (tmp_path / "junk.mp4").write_bytes(b"not a video" * 100)
    with pytest.raises(VideoError):
        read_sampled_frames(tmp_path / "junk.mp4", 4)
