"""What the calibration benchmarks share: render and track a clip of their own once, cache both, and read a
value at a rep's lockout the way `formcheck.measure.lockout` does.

`calibrate_neck.py` and `calibrate_knee_shin.py` import this (they run as scripts, so `benchmarks/` is on
the path). A cached clip is named after its parameters and the ground-truth schema, so changing either
renders it again. The calibration clips carry no plate, so a plain `track_video` pass gives the landmarks
formcheck's tracking pass would (it paints nothing out when it finds no plate).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from formcheck.body.keypoints import Keypoints, load_keypoints, save_keypoints
from formcheck.capture.video import open_video
from formcheck.measure.lockout import MeasureConfig
from formcheck.pose.estimator import track_video
from formcheck.synth import SynthParams, render_clip
from formcheck.synth.groundtruth import SCHEMA, ground_truth_path

LOCKOUT_WINDOW_MS = MeasureConfig().lockout_window_ms
# A clip's cached landmarks are `save_keypoints` files named `CLIP.MODEL.keypoints.npz`: a name of their
# own, so landmarks cached in another format beside the clip are never read as these.
KEYPOINTS_SUFFIX = "keypoints"


def clip_path(name: str, params: SynthParams, cache: Path) -> Path:
    """Where a clip is cached: its name and a hash of its parameters and the ground-truth schema."""
    text = json.dumps(dataclasses.asdict(params), sort_keys=True, default=str) + SCHEMA
    return cache / f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.mp4"


def ensure_clip(name: str, params: SynthParams, cache: Path, model: Path) -> tuple[dict, Keypoints]:
    """Ground truth and landmarks (MediaPipe's 33 points) of one clip, rendering and tracking it unless
    cached."""
    video = clip_path(name, params, cache)
    truth = ground_truth_path(video)
    if not (video.is_file() and truth.is_file()):
        print(f"  rendering {video.name}", file=sys.stderr, flush=True)
        render_clip(params, video)
    landmarks = video.with_suffix(f".{model.stem}.{KEYPOINTS_SUFFIX}.npz")
    if not landmarks.is_file():
        print(f"  tracking {video.name}", file=sys.stderr, flush=True)
        source = open_video(video)
        info = source.info
        save_keypoints(landmarks, track_video(source, model=model), fps=info.fps, width=info.width,
                       height=info.height)
    return json.loads(truth.read_text()), load_keypoints(landmarks).keypoints


def lockout_window(pose: Keypoints, frame: int) -> np.ndarray:
    """(frames,) bool: the frames within `LOCKOUT_WINDOW_MS` of a true lockout frame."""
    return np.abs(pose.t_ms - pose.t_ms[frame]) <= LOCKOUT_WINDOW_MS
