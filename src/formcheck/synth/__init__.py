"""Synthetic ground-truth videos: a posed MakeHuman body in a hip-thrust scene, rendered in software."""
