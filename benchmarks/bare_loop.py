"""The bare MediaPipe loop every formcheck speed figure is compared with: the least any tool must do.

OpenCV decode, BGR->RGB, `mp.Image`, `detect_for_video`, one PoseLandmarker ("full" model), one core.
Importable (`bare_loop`) and runnable as a whole command, as a user would meet such a script:

    python benchmarks/bare_loop.py CLIP MODEL      # prints the number of frames processed
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision

from formcheck.quiet import native_stderr_silenced


def bare_loop(clip: Path, model: Path) -> int:
    """A bare PoseLandmarker VIDEO loop; returns the number of frames processed."""
    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                           running_mode=vision.RunningMode.VIDEO)
    with native_stderr_silenced():  # same model-loading chatter suppression as formcheck, for fairness
        landmarker = vision.PoseLandmarker.create_from_options(options)
    capture = cv2.VideoCapture(str(clip))
    frames, last_t = 0, -1
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        t_ms = max(last_t + 1, round(capture.get(cv2.CAP_PROP_POS_MSEC)))
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        landmarker.detect_for_video(image, t_ms)
        frames, last_t = frames + 1, t_ms
    capture.release()
    with native_stderr_silenced():
        landmarker.close()
    return frames


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python benchmarks/bare_loop.py CLIP MODEL", file=sys.stderr)
        sys.exit(2)
    print(bare_loop(Path(sys.argv[1]), Path(sys.argv[2])))
