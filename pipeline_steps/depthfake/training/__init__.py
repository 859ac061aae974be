"""Training (`depthfake.training.loop`) and prediction (`depthfake.evaluation.predict`) of
detectors on batches of faces. The package imports nothing itself, so a step that only
predicts does not load the training loop's dependencies (timm's EMA, scikit-learn)."""
