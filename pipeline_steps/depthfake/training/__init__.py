"""Training and prediction of detectors on batches of faces."""

from depthfake.training.loop import TrainingDivergedError, fit, make_optimizer
from depthfake.training.predict import Predictions, predict

__all__ = ["Predictions", "TrainingDivergedError", "fit", "make_optimizer", "predict"]
