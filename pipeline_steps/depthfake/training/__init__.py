"""Training detectors on batches of faces: the loop (`loop`), its sampling, schedule, resume
state and processes, and one cell's whole training job (`train_detector`). The package imports
nothing itself, so a step that only predicts (`depthfake.evaluation.predict`, which reads
`inputs`) does not load the training loop's dependencies (timm's EMA, scikit-learn)."""
