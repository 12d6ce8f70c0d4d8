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
])
def test_invalid_params_say_what_was_expected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SynthParams(**kwargs)


def test_unknown_background_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="studio"):
        Look(background="moon")


@pytest.mark.parametrize(("text", "expected"), [("1.2,1,1.6", Tempo(1.2, 1.0, 1.6)),
                                                ("0.5,0,0.5", Tempo(0.5, 0.0, 0.5))])
def test_tempo_parses_seconds(text: str, expected: Tempo) -> None:
    assert Tempo.parse(text) == expected


@pytest.mark.parametrize("text", ["1,2", "a,b,c", "1,1,0"])
def test_tempo_rejects_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        Tempo.parse(text)


def test_params_round_trip_through_json() -> None:
    params = SynthParams(knee_at_top_deg=115.0, plates=True, tempo=Tempo(0.6, 0.0, 0.6),
                         look=Look(background="gym", noise_sigma=2.0), seed=7)
    again = SynthParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert again == params


def test_from_dict_names_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        SynthParams.from_dict({"knee": 90})
