"""formcheck: watch a side-view barbell hip thrust and coach it.

Pipeline (one direction): video -> pose landmarks -> metrics -> reps -> cues -> reports.
"""

__version__ = "0.1.0"
