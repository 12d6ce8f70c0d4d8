"""Pinhole camera for the synthetic renderer: world metres (y up) -> pixel coordinates and depth.

Pixel convention (shared with OpenCV images): x grows to the right, y grows downwards, and pixel (row i,
column j) covers [j, j+1) x [i, i+1), so its centre is at (j + 0.5, i + 0.5). The optical axis meets the
image at (width / 2, height / 2), the geometric centre of the picture. Pixels are square.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


def _vector3(name: str, value: object) -> np.ndarray:
    """A finite float (3,) array, or a ValueError naming the field."""
    array = np.asarray(value, dtype=np.float64)
    if array.shape != (3,) or not np.all(np.isfinite(array)):
        raise ValueError(f"Camera.{name}: expected 3 finite numbers, got {value!r}")
    return array


@dataclass(frozen=True, eq=False)
class Camera:
    """A pinhole camera at `position` looking at `look_at`, `up` giving the roll.

    `near` is the distance (metres, along the optical axis) of the clipping plane: geometry closer than
    that, or behind the camera, is clipped away when rendering.
    """

    width: int
    height: int
    fov_y_deg: float
    position: np.ndarray
    look_at: np.ndarray
    up: np.ndarray = field(default_factory=lambda: np.array([0.0, 1.0, 0.0]))
    near: float = 0.05

    def __post_init__(self) -> None:
        sizes = (self.width, self.height)
        if any(int(n) != n or n <= 0 for n in sizes):
            raise ValueError(f"Camera size: expected positive integers, got {self.width}x{self.height}")
        if not 0.0 < self.fov_y_deg < 180.0:
            raise ValueError(f"Camera.fov_y_deg: expected 0 < fov < 180, got {self.fov_y_deg}")
        if not (math.isfinite(self.near) and self.near > 0.0):
            raise ValueError(f"Camera.near: expected a positive distance, got {self.near}")
        for name in ("position", "look_at", "up"):
            object.__setattr__(self, name, _vector3(name, getattr(self, name)))
        forward = self.look_at - self.position
        if np.linalg.norm(forward) < 1e-9:
            raise ValueError(f"Camera.look_at: expected a point other than the position, got {self.look_at}")
        scale = np.linalg.norm(forward) * np.linalg.norm(self.up)
        if np.linalg.norm(np.cross(forward, self.up)) < 1e-9 * scale:
            raise ValueError(f"Camera.up: expected a direction not parallel to the view, got {self.up}")

    @property
    def focal_px(self) -> float:
        """Focal length in pixels, from the vertical field of view."""
        return 0.5 * self.height / math.tan(math.radians(self.fov_y_deg) / 2.0)

    @property
    def rotation(self) -> np.ndarray:
        """(3,3) world -> camera rotation; rows are the camera's right, up and forward axes in world terms."""
        forward = self.look_at - self.position
        forward = forward / np.linalg.norm(forward)
        right = np.cross(forward, self.up)
        right = right / np.linalg.norm(right)
        return np.stack([right, np.cross(right, forward), forward])

    def to_camera(self, points_world: np.ndarray) -> np.ndarray:
        """(N,3) world points -> (N,3) camera coordinates: x right, y up, z forward (depth), in metres."""
        points = np.asarray(points_world, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 3:
            raise ValueError(f"Camera.to_camera: expected (N, 3) points, got shape {points.shape}")
        return (points - self.position) @ self.rotation.T

    def project(self, points_world: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N,3) world points -> (N,2) pixel xy and (N,) depth along the optical axis (metres).

        Points at or behind the camera (depth <= 0) have no image: their xy is NaN.
        """
        cam = self.to_camera(points_world)
        depth = cam[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(depth > 0.0, self.focal_px / depth, np.nan)
        xy = np.empty((len(cam), 2))
        xy[:, 0] = 0.5 * self.width + cam[:, 0] * scale
        xy[:, 1] = 0.5 * self.height - cam[:, 1] * scale
        return xy, depth
