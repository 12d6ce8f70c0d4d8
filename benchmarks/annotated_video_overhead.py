"""How much writing annotated.mp4 adds to the bare MediaPipe loop (issue: total <= 1.1x the bare loop).

Run: python3 benchmarks/annotated_video_overhead.py VIDEO [--codec auto|ffmpeg|mp4v] [--repeat 2]
Measures, on the same clip and model:
  bare     decode (prefetch thread) + MediaPipe inference, as `pose.track_video` does;
  inline   the same loop, also drawing the overlay and queueing each frame to AnnotatedVideoWriter;
  render   a second pass after the analysis: decode + overlay + encode (`render_annotated_video` style).
Prints frames per second and ratios against `bare`.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from formcheck.capture.video import inference_image, open_video, prefetch
from formcheck.pose.estimator import PoseEstimator
from formcheck.pose.landmarks import PoseTrack
from formcheck.pose.models import ensure_model
from formcheck.report.annotated_video import AnnotatedVideoWriter
from formcheck.report.overlay import OverlayState


def _state(pose_xy: np.ndarray, vis: np.ndarray, i: int) -> OverlayState:
    return OverlayState(pose_xy, vis, "left", {"knee_angle_deg": 91.0, "hip_extension_deg": 176.0},
                        {"knee_angle_deg": 0.9, "hip_extension_deg": 0.9}, rep_count=i // 40,
                        phase="lockout", cue="Drive the hips all the way up" if i % 60 < 30 else None)


def run_inference(video: Path, model: Path, out: Path | None, codec: str) -> tuple[int, float, str, list]:
    source = open_video(video)
    info = source.info
    poses = []
    start = time.perf_counter()
    writer = AnnotatedVideoWriter(out, info.fps, (info.width, info.height), codec) if out else None
    with PoseEstimator(model, mode="video") as estimator:
        prepared = ((f, inference_image(f.image)) for f in source)
        for frame, rgb in prefetch(prepared):
            pose = estimator.process(frame, rgb)
            poses.append(pose)
            if writer is not None:
                writer.write(frame.image, _state(pose.xy, pose.visibility, frame.index))
    name = ""
    if writer is not None:
        writer.close()
        name = writer.codec
    return len(poses), time.perf_counter() - start, name, poses


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the ffmpeg encoder), user + system."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_render(video: Path, track: PoseTrack, out: Path, codec: str) -> tuple[float, float]:
    """Wall and CPU seconds of decode + overlay + encode for the whole clip."""
    source = open_video(video)
    info = source.info
    start, cpu = time.perf_counter(), cpu_seconds()
    with AnnotatedVideoWriter(out, info.fps, (info.width, info.height), codec) as writer:
        for frame in prefetch(source):
            row = track.data[frame.index]
            writer.write(frame.image, _state(row[:, :2], np.nan_to_num(row[:, 2]), frame.index))
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
            info = open_video(args.video).info
            track = PoseTrack.from_frames(poses, info.fps, info.width, info.height)
            wall, cpu = run_render(args.video, track, out, args.codec)
            render, render_cpu = min(render, wall), min(render_cpu, cpu)
    print(f"{args.video.name}: {n} frames, codec {codec}")
    print(f"  bare    {n / bare:7.1f} fps  {bare:6.2f} s  cpu {bare_cpu / n * 1000:.1f} ms/frame")
    print(f"  inline  {n / inline:7.1f} fps  {inline:6.2f} s  ratio {inline / bare:.3f}")
    print(f"  render  {n / render:7.1f} fps  {render:6.2f} s  bare+render ratio "
          f"{(bare + render) / bare:.3f}  cpu {render_cpu / n * 1000:.1f} ms/frame (decode+overlay+encode)")


if __name__ == "__main__":
    main()
