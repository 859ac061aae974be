"""Scoring any video with a model bundle: `score` replays the bundle's preprocessing on one
video and scores its faces, `pages` writes its HTML pages, `batch` scores a list of videos
into per-video results and an index (depthfake.serve writes each job's result the same
way)."""
