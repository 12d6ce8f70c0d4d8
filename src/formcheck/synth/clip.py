"""Render a whole synthetic clip: parameters -> mp4 video + ground-truth JSON.

Per frame: the timeline gives the lift, the pose table gives the body's sagittal angles, the arms are
aimed at the bar, the skeleton is skinned, the scene is rasterised, the frame is degraded and written,
and the ground truth is measured on the very skeleton that was drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from formcheck.errors import InputError
from formcheck.synth import groundtruth as gt
from formcheck.synth.backdrop import backdrop_meshes
from formcheck.synth.bodies import body_shape
from formcheck.synth.camera import Camera
from formcheck.synth.degrade import Degrader, make_degrader
from formcheck.synth.joints import landmark_positions
from formcheck.synth.mesh import Mesh
from formcheck.synth.motion import Timeline, build_timeline
from formcheck.synth.params import SynthParams
from formcheck.synth.posing import HipThrustBody, PoseTable, aim_arms, load_body, pose_table, with_bar_pad
from formcheck.synth.raster import Layers, render_layers
from formcheck.synth.scene import (
    HEAD_Z,
    Props,
    background_image,
    barbell_meshes,
    body_colors,
    build_props,
    place_camera,
    scene_centre,
)

Progress = Callable[[int, int], None]
BODY_MESH = 0  # the body is always the first mesh drawn
HEAD_MARGIN_M = 0.08  # HEAD_Z lies this far beyond the base body's head at lockout


@dataclass(frozen=True, eq=False)
class ClipPlan:
    """Everything fixed for a clip before its first frame is drawn."""

    params: SynthParams
    body: HipThrustBody
    timeline: Timeline
    table: PoseTable
    camera: Camera
    props: Props
    colors: np.ndarray
    background: np.ndarray
    degrader: Degrader
    barbell: tuple[Mesh, ...]  # centred on the origin; moved onto the hips every frame
    static: Layers  # floor, bench and room, drawn once: every frame starts from a copy


@dataclass(frozen=True, eq=False)
class Frame:
    """One rendered frame and what its ground truth needs."""

    image: np.ndarray  # BGR, degraded
    metrics: dict[str, float]
    pixels: dict[str, np.ndarray]
    occluded: dict[str, bool]
    bar_height_m: float  # height of the bar's centre above the floor


def _head_z(params: SynthParams, body: HipThrustBody, table: PoseTable) -> float:
    """Where the camera should take the top of the head to be: the base body's constant, or a shaped
    body's own head at lockout with the same margin."""
    if params.body_id is None:
        return HEAD_Z
    vertices = body.skeleton.skin(body.matrices(table.at(1.0)))
    return float(vertices[:, 2].min()) - HEAD_MARGIN_M


def plan_clip(params: SynthParams) -> ClipPlan:
    """Solve the motion and set up the scene and camera for `params`."""
    body = load_body(params.body_id)
    if params.bar_pad:
        body = with_bar_pad(body)
    timeline = build_timeline(params)
    floor_clearance = params.plate_diameter_m / 2 if params.plates else 0.0
    table = pose_table(body, params.knee_at_top_deg, params.hip_ext_deg, params.pelvic_tilt_deg,
                       params.neck_deg, bottom_hip_ext_deg=params.bottom_hip_ext_deg,
                       min_bar_height=floor_clearance)
    camera = place_camera(params, scene_centre(table.ankle_z, _head_z(params, body, table)))
    props = build_props(params)
    barbell = tuple(barbell_meshes(np.zeros(3), params.plates, params.look.plate_rgb,
                                   count=params.plate_count, diameter_m=params.plate_diameter_m,
                                   style=params.plate_style,
                                   pad_rgb=params.look.pad_rgb if params.bar_pad else None))
    background = background_image(params)
    static = render_layers([*props.static(), *backdrop_meshes(params)], camera, background=background,
                           light_dir=params.look.light_dir, ambient=params.look.ambient,
                           first_index=BODY_MESH + 1 + len(barbell))
    return ClipPlan(params=params, body=body, timeline=timeline, table=table, camera=camera, props=props,
                    colors=body_colors(body.skeleton, params), background=background,
                    degrader=make_degrader(params.look, timeline.frames, params.seed), barbell=barbell,
                    static=static)


def render_frame(plan: ClipPlan, k: int) -> Frame:
    """Pose, draw and measure frame `k`."""
    params, body = plan.params, plan.body
    skeleton = body.skeleton
    pose = aim_arms(body, plan.table.at(float(plan.timeline.lift[k])))
    matrices = body.matrices(pose)
    vertices = skeleton.skin(matrices)
    bar = body.bar_centre(matrices)
    meshes = [Mesh(vertices, skeleton.faces, plan.colors, smooth=True, cull_back=True),
              *(_moved(mesh, bar) for mesh in plan.barbell)]
    layers = render_layers(meshes, plan.camera, light_dir=params.look.light_dir, ambient=params.look.ambient,
                           base=plan.static)
    world = landmark_positions(skeleton, body.landmarks, matrices, vertices)
    names = list(world)
    xy, depth = plan.camera.project(np.stack([world[n] for n in names]))
    pixels = {n: xy[i] for i, n in enumerate(names)}
    occluded = gt.occlusion_flags(pixels, {n: float(depth[i]) for i, n in enumerate(names)},
                                  layers.mesh_index, layers.depth, BODY_MESH)
    metrics = gt.sagittal_metrics(skeleton, matrices, world, params.side)
    return Frame(image=plan.degrader.apply(layers.image, k), metrics=metrics, pixels=pixels,
                 occluded=occluded, bar_height_m=float(bar[1]))


def _moved(mesh: Mesh, offset: np.ndarray) -> Mesh:
    """A copy of a rigid mesh translated by `offset`."""
    return Mesh(mesh.vertices + offset, mesh.faces, mesh.colors, smooth=mesh.smooth, cull_back=mesh.cull_back)


def iter_frames(plan: ClipPlan) -> Iterator[Frame]:
    """Every frame of the clip, in order."""
    for k in range(plan.timeline.frames):
        yield render_frame(plan, k)


def _body_entry(plan: ClipPlan) -> dict[str, Any]:
    """The lifter: catalogue id and shape (None for the base mesh) and the stature measured on the mesh."""
    rest = plan.body.skeleton.rest_vertices
    body_id = plan.params.body_id
    return {"id": body_id, "shape": None if body_id is None else body_shape(body_id).to_dict(),
            "stature_m": round(float(rest[:, 1].max() - rest[:, 1].min()), 4)}


def assemble(plan: ClipPlan, log: gt.FrameLog) -> gt.GroundTruth:
    """The ground-truth document from the plan and the per-frame log."""
    params, timeline = plan.params, plan.timeline
    reps = gt.rep_entries(timeline.reps, log, params)
    set_cues, set_acceptable = gt.set_cue_labels([(r["expected_cues"], r["acceptable_cues"]) for r in reps],
                                                 params.yaw_deg)
    camera = plan.camera
    data: dict[str, Any] = {
        "schema": gt.SCHEMA, "params": params.to_dict(), "fps": float(params.fps), "width": params.width,
        "height": params.height, "frames": timeline.frames, "side": params.side,
        "yaw_deg": float(params.yaw_deg), "plates": bool(params.plates),
        "camera": {"position": [round(float(v), 6) for v in camera.position],
                   "look_at": [round(float(v), 6) for v in camera.look_at], "fov_y_deg": camera.fov_y_deg,
                   "up": [round(float(v), 6) for v in camera.up],
                   "height_m": round(float(camera.position[1]), 4),
                   "roll_deg": float(params.roll_deg)},
        "body": _body_entry(plan),
        "landmark_vertices": dict(plan.body.landmarks.vertices),
        "per_frame": {"t_ms": [round(1000.0 * k / params.fps) for k in range(timeline.frames)],
                      "phase": list(timeline.phase), "rep": [int(r) for r in timeline.rep],
                      "lift": [round(float(v), 5) for v in timeline.lift],
                      "metrics": log.metrics, "metrics_2d": log.metrics_2d, "joints_px": log.joints_px,
                      "occluded": log.occluded, "bar_height_m": log.bar_height_m},
        "reps": reps,
        "expected_set_cues": set_cues,
        "acceptable_set_cues": set_acceptable,
    }
    return gt.GroundTruth(data)


def _open_writer(path: Path, params: SynthParams) -> cv2.VideoWriter:
    if path.suffix.lower() != ".mp4":
        raise InputError(f"synth output: expected a .mp4 path, got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), float(params.fps),
                             (params.width, params.height))
    if not writer.isOpened():
        raise InputError(f"cannot open {path} for writing an mp4 video")
    return writer


def render_clip(params: SynthParams, out_path: Path, *, progress: Progress | None = None) -> gt.GroundTruth:
    """Render `params` to `out_path` (.mp4) and its ground truth beside it (`.gt.json`); returns the truth."""
    out_path = Path(out_path)
    plan = plan_clip(params)
    log = gt.FrameLog()
    writer = _open_writer(out_path, params)
    try:
        for k, frame in enumerate(iter_frames(plan)):
            writer.write(frame.image)
            log.add(frame.metrics, frame.pixels, frame.occluded, params.side, frame.bar_height_m)
            if progress is not None:
                progress(k + 1, plan.timeline.frames)
    finally:
        writer.release()
    truth = assemble(plan, log)
    gt.write_ground_truth(truth, gt.ground_truth_path(out_path))
    return truth

