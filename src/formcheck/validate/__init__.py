"""Validation against rendered ground truth: a grid of synthetic hip-thrust clips, run through the whole
pipeline and compared with what the renderer knows (issue 4 item 7; `formcheck validate`).

`grid` names the clips and renders them (cached), `run` analyses one clip, `truth` reads the renderer's
ground truth, `score` compares the two and summarises the grid, `markdown` writes docs/accuracy.md.
"""
