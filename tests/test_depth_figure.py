"""The depth figure: which crops it shows."""

from __future__ import annotations

import pandas as pd

from depthfake.reporting.samples import first_faces


def test_the_figure_shows_the_first_face_of_test_videos():
    index = pd.DataFrame({
        "video": ["a", "a", "b", "b", "c", "c", "d"],
        "split": ["train", "train", "test", "test", "test", "test", "test"],
        "has_face": [True, True, False, True, True, True, True],
        "row": [0, 1, -1, 2, 3, 4, 5],
    })
    assert first_faces(index, videos=2)["row"].tolist() == [2, 3]  # b's first face, then c
    assert first_faces(index[index["split"] == "train"], videos=2)["row"].tolist() == [0]
