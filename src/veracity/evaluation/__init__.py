"""Evaluations behind ``veracity eval TASK``, one module per task, and the metrics they share."""
