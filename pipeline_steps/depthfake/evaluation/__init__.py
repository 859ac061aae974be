"""Scoring detectors: one trained detector's test and validation predictions
(evaluate_detector), the conditions and attacks, depth under attack, prediction, metrics,
bootstrap intervals, cell statistics."""
