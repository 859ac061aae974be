"""Scoring detectors: one trained detector's test predictions (evaluate_detector), the
attacks, depth under attack, prediction, metrics, bootstrap intervals, cell statistics."""
