"""Which faces the figures show (readable without torch)."""

from __future__ import annotations

import pandas as pd


def first_faces(index: pd.DataFrame, videos: int) -> pd.DataFrame:
    """The first face of each of the first `videos` videos (by id), from the test split when
    it has faces."""
    faces = index[index["has_face"]]
    test = faces[faces["split"] == "test"]
    return (test if len(test) else faces).groupby("video", sort=True).head(1).head(videos)


def balanced_faces(index: pd.DataFrame, faces: int) -> pd.DataFrame:
    """`faces` first faces, half from real videos and half from fake ones (the extra one
    from the fakes), reals first."""
    reals = first_faces(index[index["label"] == 0], faces // 2)
    fakes = first_faces(index[index["label"] == 1], faces - len(reals))
    return pd.concat([reals, fakes], ignore_index=True)
