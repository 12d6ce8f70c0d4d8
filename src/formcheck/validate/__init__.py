"""Validation against rendered ground truth: randomised synthetic hip-thrust clips, run through the whole
pipeline and compared with what the renderer knows (issues 4 and 11; `formcheck validate`).

`grid` picks the clips of the tune or check split (cached renders), `run` analyses one clip, `truth` reads
the renderer's ground truth, `score` compares the two, `summary` adds up the grid and its breakdown rows
against the targets, `fit` fits constants on the tune split, `constants` lists every constant chosen from
renders, `markdown` and `notes` write docs/accuracy.md.
"""
