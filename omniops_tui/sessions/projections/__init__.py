"""Typed projections the fold maintains: metrics, criteria, logs."""
