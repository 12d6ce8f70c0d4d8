"""Hip-thrust posing: a handful of sagittal angles -> bone rotations, solved against the scene's constraints.

World layout (metres, y up): the floor is y = 0; the bench top is at `BENCH_HEIGHT` with its edge along
the x axis at z = 0; the body's left side faces +x, its head toward -z (over the bench) and its feet
toward +z. Every rotation is about the x axis (the sagittal plane is y-z), with `skeleton.rot_x`'s signs.

A `SagittalPose` holds *global* segment angles (rotations from the standing rest pose): torso -90 lies the
thorax flat on its back, thigh -90 points the thigh horizontally toward the feet, shin 0 is a vertical shin.
The feet always stay flat (foot rotation 0). Placing a pose translates the body so that a point on the
upper back just below the shoulder blades sits on the bench edge. The solvers then find the torso, thigh
and shin angles that keep the ankles on a fixed spot on the floor while the hips reach a requested
shoulder-hip-knee angle, and aim the arms at the bar. Ground truth is measured from the posed skeleton
afterwards (see `groundtruth`), never copied from these targets.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from formcheck.errors import InputError
from formcheck.measure import geometry
from formcheck.synth.assets import load_body_assets
from formcheck.synth.bodies import shaped_assets
from formcheck.synth.joints import LandmarkMap, landmark_map
from formcheck.synth.skeleton import Skeleton, build_skeleton, rot_x

BENCH_HEIGHT = 0.40
BENCH_EDGE = np.array([0.0, BENCH_HEIGHT, 0.0])
BACK_CONTACT_BELOW_SHOULDER = 0.15  # metres below the shoulder joints: just under the shoulder blades
BAR_ABOVE_HIP_JOINT = 0.02  # the bar crosses the front of the pelvis this far above the hip joints
BAR_RADIUS = 0.014
PAD_RADIUS = 0.045  # a foam bar pad: the bar sits this far out from the hips instead of BAR_RADIUS
BOTTOM_HIP_EXT_DEG = 110.0  # default shoulder-hip-knee angle at the bottom of each rep
TABLE_SAMPLES = 41  # lift fractions solved per clip; poses in between are interpolated
LUMBAR_BONES = ("spine05", "spine04", "spine03")
NECK_BONES = ("neck01", "neck02", "neck03", "head")
SIDES = (".L", ".R")


@dataclass(frozen=True)
class SagittalPose:
    """Global sagittal angles (degrees) of the body's segments; see the module docstring for the signs.

    `lumbar_deg` is the thorax relative to the pelvis (+ flexion = posterior pelvic tilt, - extension =
    arched lower back); `neck_deg` the head relative to the thorax (+ chin toward the chest).
    """

    torso_deg: float
    lumbar_deg: float
    thigh_deg: float
    shin_deg: float
    neck_deg: float = 0.0
    upper_arm_deg: float = 0.0
    forearm_deg: float = 0.0

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not np.isfinite(value):
                raise ValueError(f"SagittalPose.{field.name}: expected a finite angle, got {value}")

    def rotations(self) -> dict[str, np.ndarray]:
        """Local bone rotations that give these global segment angles (all about x)."""
        pelvis = self.torso_deg - self.lumbar_deg
        out = {"root": rot_x(pelvis)}
        out.update({bone: rot_x(self.lumbar_deg / len(LUMBAR_BONES)) for bone in LUMBAR_BONES})
        out.update({bone: rot_x(self.neck_deg / len(NECK_BONES)) for bone in NECK_BONES})
        for side in SIDES:
            out[f"upperleg01{side}"] = rot_x(self.thigh_deg - pelvis)
            out[f"lowerleg01{side}"] = rot_x(self.shin_deg - self.thigh_deg)
            out[f"foot{side}"] = rot_x(-self.shin_deg)  # keeps the foot flat on the floor
            out[f"upperarm01{side}"] = rot_x(self.upper_arm_deg - self.torso_deg)
            out[f"lowerarm01{side}"] = rot_x(self.forearm_deg - self.upper_arm_deg)
        return out


def sagittal_px(points: np.ndarray) -> np.ndarray:
    """World points -> the (x right, y down) image of a perfect orthographic side camera: (z, -y)."""
    points = np.asarray(points, dtype=float)
    return np.stack([points[..., 2], -points[..., 1]], axis=-1)


@dataclass(frozen=True, eq=False)
class HipThrustBody:
    """The skeleton plus the rest-pose points the hip-thrust constraints use."""

    skeleton: Skeleton
    landmarks: LandmarkMap
    back_contact: np.ndarray  # rest point on the upper back (moves with spine02)
    bar_contact: np.ndarray  # rest centre of the bar across the front of the pelvis (moves with root)
    ankle_height: float  # ankle joint above the floor when the foot is flat

    def matrices(self, pose: SagittalPose) -> np.ndarray:
        """(B, 4, 4) skinning matrices of a pose placed with its upper back on the bench edge."""
        unplaced = self.skeleton.skinning_matrices(pose.rotations(), np.zeros(3))
        contact = self.skeleton.transform("spine02", unplaced, self.back_contact)
        offset = BENCH_EDGE - contact
        unplaced[:, :3, 3] += offset  # the root carries everything, so a shift of all bones is a translation
        return unplaced

    def heads(self, pose: SagittalPose, *names: str) -> np.ndarray:
        """Posed heads of the named bones, (len(names), 3)."""
        heads = self.skeleton.posed_heads(self.matrices(pose))
        return heads[[self.skeleton.index(n) for n in names]]

    def bar_centre(self, matrices: np.ndarray) -> np.ndarray:
        """World centre of the barbell (on the hips) for a placed pose."""
        return self.skeleton.transform("root", matrices, self.bar_contact)


def _surface_z(vertices: np.ndarray, height: float, front: bool) -> float:
    """Front (max z) or back (min z) surface of the body near the mid-line at a given height."""
    near = (np.abs(vertices[:, 0]) < 0.05) & (np.abs(vertices[:, 1] - height) < 0.015)
    zs = vertices[near, 2]
    return float(zs.max() if front else zs.min())


@functools.lru_cache(maxsize=4)
def load_body(body_id: int | None = None) -> HipThrustBody:
    """A MakeHuman body with its hip-thrust contact points (assets fetched on first use).

    `body_id` None is the unshaped base mesh; otherwise the catalogue body of that id (see `bodies`).
    Cached for the last few bodies, since a shaped skeleton takes a fraction of a second to build.
    """
    assets = load_body_assets()
    if body_id is not None:
        assets = shaped_assets(assets, body_id)
    skeleton = build_skeleton(assets)
    rest = skeleton.rest_vertices
    shoulder_y = skeleton.heads[skeleton.index("upperarm01.L")][1]
    back_y = shoulder_y - BACK_CONTACT_BELOW_SHOULDER
    back = np.array([0.0, back_y, _surface_z(rest, back_y, front=False)])
    hip_y = skeleton.heads[skeleton.index("upperleg01.L")][1] + BAR_ABOVE_HIP_JOINT
    bar = np.array([0.0, hip_y, _surface_z(rest, hip_y, front=True) + BAR_RADIUS])
    ankle = skeleton.heads[skeleton.index("foot.L")]
    left_foot = rest[(rest[:, 0] > 0.05) & (rest[:, 1] < ankle[1])]
    return HipThrustBody(skeleton=skeleton, landmarks=landmark_map(skeleton), back_contact=back,
                         bar_contact=bar, ankle_height=float(ankle[1] - left_foot[:, 1].min()))


def with_bar_pad(body: HipThrustBody) -> HipThrustBody:
    """The same body with the bar resting on a foam pad: its centre PAD_RADIUS out from the hips."""
    bar = body.bar_contact + np.array([0.0, 0.0, PAD_RADIUS - BAR_RADIUS])  # rest +z: out of the pelvis
    return dataclasses.replace(body, bar_contact=bar)


def _leg_points(body: HipThrustBody, pose: SagittalPose) -> np.ndarray:
    """Posed left shoulder, hip, knee, ankle joint centres, (4, 3)."""
    return body.heads(pose, "upperarm01.L", "upperleg01.L", "lowerleg01.L", "foot.L")


def _with(pose: SagittalPose, x: np.ndarray) -> SagittalPose:
    return dataclasses.replace(pose, torso_deg=float(x[0]), thigh_deg=float(x[1]), shin_deg=float(x[2]))


class UnreachablePose(InputError):
    """The body cannot take the pose asked for (e.g. feet too far out for the bench height)."""


def _solve(residual: object, guess: np.ndarray, what: str) -> np.ndarray:
    """Root of a 3x3 residual; a failure to converge is an UnreachablePose naming the pose asked for."""
    solution, _info, status, _message = scipy.optimize.fsolve(residual, guess, full_output=True, xtol=1e-9)
    if status != 1 or np.max(np.abs(residual(solution))) > 1e-4:  # type: ignore[operator]
        raise UnreachablePose(f"the body cannot reach {what}")
    return solution


def solve_lockout(body: HipThrustBody, knee_deg: float, hip_ext_deg: float, lumbar_deg: float,
                  neck_deg: float) -> tuple[SagittalPose, float]:
    """The top of the lift and where the feet must be planted for it: (pose, ankle z).

    The knee and shoulder-hip-knee angles (side-on, from the skeleton's joint centres) hit the targets
    with the ankles at their flat-foot height on the floor.
    """
    base = SagittalPose(torso_deg=-85.0, lumbar_deg=lumbar_deg, thigh_deg=-90.0, shin_deg=0.0,
                        neck_deg=neck_deg)

    def residual(x: np.ndarray) -> np.ndarray:
        s, h, k, a = sagittal_px(_leg_points(body, _with(base, x)))
        return np.array([(a[1] + body.ankle_height) * 100.0,  # image y is -height
                         float(geometry.knee_angle(h, k, a)) - knee_deg,
                         float(geometry.hip_extension(s, h, k)) - hip_ext_deg])

    x = _solve(residual, np.array([base.torso_deg, base.thigh_deg, base.shin_deg]),
               f"a lockout with knee {knee_deg}° and hip extension {hip_ext_deg}°")
    pose = _with(base, x)
    return pose, float(_leg_points(body, pose)[3][2])


def solve_frame(body: HipThrustBody, hip_ext_deg: float, lumbar_deg: float, neck_deg: float,
                ankle_z: float, guess: SagittalPose) -> SagittalPose:
    """A pose with the ankles planted at `ankle_z` and the shoulder-hip-knee angle at `hip_ext_deg`."""
    base = dataclasses.replace(guess, lumbar_deg=lumbar_deg, neck_deg=neck_deg)
    target = np.array([body.ankle_height, ankle_z])

    def residual(x: np.ndarray) -> np.ndarray:
        s, h, k, a = _leg_points(body, _with(base, x))
        ss, hh, kk = sagittal_px(np.stack([s, h, k]))
        return np.array([*(a[1:] - target) * 100.0, float(geometry.hip_extension(ss, hh, kk)) - hip_ext_deg])

    x = _solve(residual, np.array([base.torso_deg, base.thigh_deg, base.shin_deg]),
               f"hip extension {hip_ext_deg:.1f}° with the feet at z={ankle_z:.3f} m")
    return _with(base, x)


def _yz_angle(v: np.ndarray) -> float:
    """Direction of a vector in the y-z plane, in the sense `rot_x` turns (from +y toward +z)."""
    return float(np.degrees(np.arctan2(v[2], v[1])))


def aim_arms(body: HipThrustBody, pose: SagittalPose) -> SagittalPose:
    """Bend the arms (shoulder and elbow, sagittally) so the wrists reach the bar on the hips."""
    skeleton = body.skeleton
    matrices = body.matrices(pose)
    shoulder = skeleton.posed_heads(matrices)[skeleton.index("upperarm01.L")]
    bar = body.bar_centre(matrices)
    rest = skeleton.heads
    upper = rest[skeleton.index("lowerarm01.L")] - rest[skeleton.index("upperarm01.L")]
    fore = rest[skeleton.index("wrist.L")] - rest[skeleton.index("lowerarm01.L")]
    l1, l2 = float(np.hypot(*upper[1:])), float(np.hypot(*fore[1:]))
    to_bar = bar - shoulder
    wrist = bar - 0.06 * to_bar / np.linalg.norm(to_bar) + np.array([0.0, 0.02, 0.0])
    reach = wrist - shoulder
    d = float(np.clip(np.hypot(*reach[1:]), abs(l1 - l2) + 1e-3, l1 + l2 - 1e-3))
    bend = np.degrees(np.arccos((l1 * l1 + d * d - l2 * l2) / (2 * l1 * d)))
    towards = _yz_angle(reach)
    candidates = [towards + bend, towards - bend]
    elbows = [shoulder + l1 * np.array([0.0, np.cos(np.radians(a)), np.sin(np.radians(a))])
              for a in candidates]
    pick = int(np.argmin([e[1] for e in elbows]))  # elbows toward the floor
    elbow_dir = candidates[pick]
    forearm_dir = _yz_angle(shoulder + reach - elbows[pick])  # elbow -> (reachable) wrist
    return dataclasses.replace(pose, upper_arm_deg=elbow_dir - _yz_angle(upper),
                               forearm_deg=forearm_dir - _yz_angle(fore))


def lockout_lumbar_deg(hip_ext_deg: float, pelvic_tilt_deg: float) -> float:
    """Lumbar angle at lockout: the posterior tilt asked for, or, past 180° of hip extension, an arch.

    Hips driven past neutral come from the lower back: the lumbar spine extends by the excess (anterior
    pelvic tilt), which replaces any posterior tilt.
    """
    return -(hip_ext_deg - 180.0) if hip_ext_deg > 180.0 else pelvic_tilt_deg


@dataclass(frozen=True, eq=False)
class PoseTable:
    """Solved poses at evenly spaced lift fractions (0 = bottom, 1 = lockout), interpolated in between."""

    lifts: np.ndarray  # (K,) increasing from 0 to 1
    angles: np.ndarray  # (K, 4) torso, lumbar, thigh, shin
    neck_deg: float
    ankle_z: float  # where the feet are planted

    def __post_init__(self) -> None:
        if self.angles.shape != (len(self.lifts), 4) or self.lifts[0] != 0.0 or self.lifts[-1] != 1.0:
            raise ValueError(f"PoseTable: expected lifts 0..1 and (K, 4) angles, got {self.angles.shape}")

    def at(self, lift: float) -> SagittalPose:
        """The body pose (arms not yet aimed) at a lift fraction; values outside [0, 1] are clipped."""
        u = float(np.clip(lift, 0.0, 1.0))
        torso, lumbar, thigh, shin = (float(np.interp(u, self.lifts, self.angles[:, j])) for j in range(4))
        return SagittalPose(torso_deg=torso, lumbar_deg=lumbar, thigh_deg=thigh, shin_deg=shin,
                            neck_deg=self.neck_deg)


def _bar_height(body: HipThrustBody, pose: SagittalPose) -> float:
    return float(body.bar_centre(body.matrices(pose))[1])


def _solve_table(body: HipThrustBody, top: SagittalPose, ankle_z: float, hip_ext_deg: float,
                 bottom_hip_ext_deg: float, lumbar_top: float, neck_deg: float,
                 lifts: np.ndarray) -> tuple[np.ndarray, int]:
    """Angles at each lift, solved from the top down, and the lowest index solved (0 unless unreachable)."""
    angles = np.empty((len(lifts), 4))
    angles[-1] = (top.torso_deg, top.lumbar_deg, top.thigh_deg, top.shin_deg)
    pose = top
    for k in range(len(lifts) - 2, -1, -1):
        u = lifts[k]
        target = bottom_hip_ext_deg + u * (hip_ext_deg - bottom_hip_ext_deg)
        try:
            pose = solve_frame(body, target, u * lumbar_top, neck_deg, ankle_z, pose)
        except UnreachablePose:
            angles[: k + 1] = angles[k + 1]
            return angles, k + 1
        angles[k] = (pose.torso_deg, pose.lumbar_deg, pose.thigh_deg, pose.shin_deg)
    return angles, 0


def pose_table(body: HipThrustBody, knee_at_top_deg: float, hip_ext_deg: float, pelvic_tilt_deg: float,
               neck_deg: float, samples: int = TABLE_SAMPLES, *,
               bottom_hip_ext_deg: float = BOTTOM_HIP_EXT_DEG, min_bar_height: float = 0.0) -> PoseTable:
    """Solve the lockout (which fixes the feet), then poses down to the bottom with the feet planted.

    Between bottom and top the shoulder-hip-knee angle and the lumbar angle move linearly with the lift.
    When the feet are planted so far out that the hips cannot sink all the way, the lowest reachable pose
    is kept for the rest of the way down (the hips simply stop lower down). When the bar would sink below
    `min_bar_height` (plates of that radius would go through the floor) the bottom is raised to where the
    plates touch the floor and the table is solved again, so the descent still eases into its bottom.
    """
    lumbar_top = lockout_lumbar_deg(hip_ext_deg, pelvic_tilt_deg)
    top, ankle_z = solve_lockout(body, knee_at_top_deg, hip_ext_deg, lumbar_top, neck_deg)
    lifts = np.linspace(0.0, 1.0, samples)
    angles, lowest = _solve_table(body, top, ankle_z, hip_ext_deg, bottom_hip_ext_deg, lumbar_top, neck_deg,
                                  lifts)
    table = PoseTable(lifts=lifts, angles=angles, neck_deg=neck_deg, ankle_z=ankle_z)
    if min_bar_height <= 0.0 or _bar_height(body, table.at(0.0)) >= min_bar_height:
        return table
    heights = [_bar_height(body, table.at(u)) for u in lifts[lowest:]]
    first = lowest + int(np.argmax(np.asarray(heights) >= min_bar_height))  # heights rise with the lift
    raised = bottom_hip_ext_deg + lifts[first] * (hip_ext_deg - bottom_hip_ext_deg)
    angles, _ = _solve_table(body, top, ankle_z, hip_ext_deg, raised, lumbar_top, neck_deg, lifts)
    return PoseTable(lifts=lifts, angles=angles, neck_deg=neck_deg, ankle_z=ankle_z)
