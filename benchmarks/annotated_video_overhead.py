"""How much writing annotated.mp4 adds to the bare MediaPipe loop (issue: total <= 1.1x the bare loop).

Run: python3 benchmarks/annotated_video_overhead.py VIDEO [--codec auto|ffmpeg|mp4v] [--repeat 2]
Measures, on the same clip and model:
  bare     decode and model input (prefetch thread) + MediaPipe inference, as `pose.track_video` does;
  inline   the same loop, also queueing each frame with its `FrameView` to AnnotatedVideoWriter (which
           draws it with `report.annotators.draw_frame` and encodes it in its own thread);
  render   a second pass after the analysis: decode + draw + encode (`render_annotated_video` style).
The view drawn is both sides' joints (left as the near side) with fixed labels, rep count and cue.
Prints frames per second and ratios against `bare`.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from formcheck.body.joints import near_side
from formcheck.body.keypoints import Keypoints
from formcheck.capture.video import open_video, prefetch
from formcheck.pose.estimator import PoseEstimator, iter_poses
from formcheck.pose.models import ensure_model
from formcheck.report.annotated_video import AnnotatedVideoWriter
from formcheck.report.annotators import FrameView


def _view(pose: Keypoints, i: int) -> FrameView:
    """What is drawn on frame `i` of one frame's pose: left side near, fixed values, a cue half the time."""
    return FrameView(near_side(pose, "left"), near_side(pose, "right"),
                     {"knee_angle_deg": 91.0, "hip_extension_deg": 176.0},
                     {"knee_angle_deg": 0.9, "hip_extension_deg": 0.9}, rep_count=i // 40,
                     phase="lockout", cue="Drive the hips all the way up" if i % 60 < 30 else None)


def run_inference(video: Path, model: Path, out: Path | None,
                  codec: str) -> tuple[int, float, str, list[Keypoints]]:
    source = open_video(video)
    info = source.info
    poses = []
    start = time.perf_counter()
    writer = AnnotatedVideoWriter(out, info.fps, (info.width, info.height), codec) if out else None
    with PoseEstimator(model) as estimator:
        for frame, pose in iter_poses(source, estimator):
            poses.append(pose)
            if writer is not None:
                writer.write(frame.image, _view(pose, frame.index))
    name = ""
    if writer is not None:
        writer.close()
        name = writer.codec
    return len(poses), time.perf_counter() - start, name, poses


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the ffmpeg encoder), user + system."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_render(video: Path, poses: Keypoints, out: Path, codec: str) -> tuple[float, float]:
    """Wall and CPU seconds of decode + draw + encode for the whole clip."""
    source = open_video(video)
    info = source.info
    start, cpu = time.perf_counter(), cpu_seconds()
    with AnnotatedVideoWriter(out, info.fps, (info.width, info.height), codec) as writer:
        for frame in prefetch(source):
            writer.write(frame.image, _view(poses[frame.index], frame.index))
    return time.perf_counter() - start, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--codec", default="auto")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    model = ensure_model("full")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "annotated.mp4"
        bare = inline = render = render_cpu = bare_cpu = float("inf")
        for _ in range(args.repeat):  # best of N: the machine is shared
            cpu = cpu_seconds()
            n, t, _, poses = run_inference(args.video, model, None, args.codec)
            bare, bare_cpu = min(bare, t), min(bare_cpu, cpu_seconds() - cpu)
            _, t, codec, _ = run_inference(args.video, model, out, args.codec)
            inline = min(inline, t)
            wall, cpu = run_render(args.video, Keypoints.concat(poses), out, args.codec)
            render, render_cpu = min(render, wall), min(render_cpu, cpu)
    print(f"{args.video.name}: {n} frames, codec {codec}")
    print(f"  bare    {n / bare:7.1f} fps  {bare:6.2f} s  cpu {bare_cpu / n * 1000:.1f} ms/frame")
    print(f"  inline  {n / inline:7.1f} fps  {inline:6.2f} s  ratio {inline / bare:.3f}")
    print(f"  render  {n / render:7.1f} fps  {render:6.2f} s  bare+render ratio "
          f"{(bare + render) / bare:.3f}  cpu {render_cpu / n * 1000:.1f} ms/frame (decode+overlay+encode)")


if __name__ == "__main__":
    main()
