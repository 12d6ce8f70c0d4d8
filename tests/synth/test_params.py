"""Synth parameters: validation with clear messages, JSON round trip, tempo parsing."""

from __future__ import annotations

import json

import pytest

from formcheck.synth.params import Look, SynthParams, Tempo


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"knee_at_top_deg": 200.0}, "knee_at_top_deg: expected 60.0 <= value <= 130.0"),
    ({"side": "front"}, "side: expected one of left, right"),
    ({"reps": 0, "partial_reps": 0}, "at least one rep"),
    ({"width": 641}, "even width and height"),
    ({"reps": 2.5}, "reps: expected an integer"),
    ({"yaw_deg": 120.0}, "yaw_deg"),
    ({"neck_deg": 100.0}, "neck_deg: expected -45.0 <= value <= 95.0"),
    ({"neck_deg": -50.0}, "neck_deg"),
    ({"body_id": 24}, "body_id: expected 0 <= value <= 23"),
    ({"body_id": -1}, "body_id"),
    ({"body_id": 1.5}, "body_id: expected an integer or None"),
    ({"body_id": True}, "body_id: expected an integer or None"),
    ({"bottom_hip_ext_deg": 80.0}, "bottom_hip_ext_deg: expected 90.0 <= value <= 160.0"),
    ({"bottom_hip_ext_deg": 150.0, "hip_ext_deg": 160.0}, "at least 15° below hip_ext_deg"),
    ({"plate_count": 4}, "plate_count: expected 1 <= value <= 3"),
    ({"plate_count": 0}, "plate_count"),
    ({"plate_count": 1.5}, "plate_count: expected an integer"),
    ({"plate_diameter_m": 0.5}, "plate_diameter_m: expected 0.3 <= value <= 0.45"),
    ({"plate_style": "bumper"}, "plate_style: expected one of solid, iron"),
    ({"background_kind": "beach"}, "background_kind: expected one of plain, textured, gym"),
    ({"roll_deg": 12.0}, "roll_deg: expected -10.0 <= value <= 10.0"),
    ({"elevation_deg": -10.0, "distance_m": 5.0}, "camera above the floor"),
    ({"height": 4000}, "height"),
])
def test_invalid_params_say_what_was_expected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SynthParams(**kwargs)


def test_unknown_background_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="studio"):
        Look(background="moon")


def test_pad_colour_is_validated() -> None:
    with pytest.raises(ValueError, match="pad_rgb"):
        Look(pad_rgb=(0, 0, 300))


@pytest.mark.parametrize(("text", "expected"), [("1.2,1,1.6", Tempo(1.2, 1.0, 1.6)),
                                                ("0.5,0,0.5", Tempo(0.5, 0.0, 0.5))])
def test_tempo_parses_seconds(text: str, expected: Tempo) -> None:
    assert Tempo.parse(text) == expected


@pytest.mark.parametrize("text", ["1,2", "a,b,c", "1,1,0"])
def test_tempo_rejects_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        Tempo.parse(text)


@pytest.mark.parametrize("params", [
    SynthParams(knee_at_top_deg=115.0, plates=True, tempo=Tempo(0.6, 0.0, 0.6),
                look=Look(background="gym", noise_sigma=2.0), seed=7),
    SynthParams(body_id=5, bottom_hip_ext_deg=95.0, neck_deg=85.0, plates=True, plate_count=3,
                plate_diameter_m=0.35, plate_style="iron", bar_pad=True, background_kind="gym", roll_deg=-2.5,
                width=360, height=640, fps=60.0, look=Look(pad_rgb=(150, 30, 30))),
])
def test_params_round_trip_through_json(params: SynthParams) -> None:
    again = SynthParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert again == params


def test_defaults_hold_the_coached_neck_tuck_and_draw_what_they_always_drew() -> None:
    params = SynthParams()
    assert params.neck_deg == 30.0  # docs/design.md's coached band is +10..+65
    assert (params.body_id, params.bottom_hip_ext_deg, params.plate_count, params.plate_diameter_m,
            params.plate_style, params.bar_pad, params.background_kind, params.roll_deg) == (
        None, 110.0, 1, 0.45, "solid", False, "plain", 0.0)


@pytest.mark.parametrize(("elevation", "distance", "height"), [(0.0, 2.7, 0.38), (30.0, 2.0, 1.38),
                                                                (-5.0, 2.0, 0.38 - 2.0 * 0.0871557)])
def test_camera_height_follows_elevation_and_distance(elevation: float, distance: float,
                                                      height: float) -> None:
    assert SynthParams(elevation_deg=elevation, distance_m=distance).camera_height_m == pytest.approx(height)


@pytest.mark.parametrize(("width", "height", "portrait"), [(640, 360, False), (360, 640, True)])
def test_portrait_is_taller_than_wide(width: int, height: int, portrait: bool) -> None:
    assert SynthParams(width=width, height=height).portrait is portrait


def test_from_dict_names_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        SynthParams.from_dict({"knee": 90})
