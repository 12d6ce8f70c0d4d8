"""Measuring: angles with documented signs, reps and their phases, metrics at each lockout."""
