"""The live WebSocket's adapter: messages checked against the contract, a sample's landmarks replayed
count its reps and raise its fault cue, and a bad frame is answered with an error, not a closed socket."""

from __future__ import annotations

import json

import numpy as np
import pytest

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import N_LANDMARKS
from formcheck.web.live_engine import BadMessage, LiveFeed, observation
from formcheck.web.replay import live_messages
from web.serving import SAMPLES

GOOD = {"t_ms": 40, "width": 640, "height": 360,
        "landmarks": [[0.5, 0.25, 0.0, 0.9, 0.95]] * N_LANDMARKS, "world": [[0.1, 0.2, 0.3]] * N_LANDMARKS}


def test_landmarks_are_turned_into_pixels_of_the_frame():
    seen = observation(GOOD, 7)
    assert seen.index == 7 and seen.t_ms == 40 and seen.plate is None
    np.testing.assert_allclose(seen.pose.xy_of("nose")[0], [320.0, 90.0])
    assert seen.pose.conf_of("nose")[0] == pytest.approx(0.9)  # visibility, as the pose adapter keeps it
    np.testing.assert_allclose(seen.pose.world[0, 0], [0.1, 0.2, 0.3])
    assert seen.pose.found[0]


def test_a_frame_without_a_person_is_an_empty_frame():
    seen = observation({**GOOD, "landmarks": [], "world": []}, 0)
    assert not seen.pose.found[0] and np.isnan(seen.pose.xy).all()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"t_ms": "soon"}, "t_ms: expected a time"),
        ({"t_ms": -5}, "t_ms: expected a time"),
        ({"width": 0}, "width: expected 1-8192 pixels"),
        ({"height": 99999}, "height: expected 1-8192 pixels"),
        ({"landmarks": [[0.5, 0.5, 0, 1, 1]] * 17}, "landmarks: expected shape (33, 5), got (17, 5)"),
        ({"landmarks": [[0.5, "x", 0, 1, 1]] * 33}, "landmarks: expected 33 x 5 numbers"),
        ({"world": [[0.0, 0.0]] * 33}, "world: expected shape (33, 3)"),
    ],
)
def test_messages_breaking_the_contract_say_what_is_wrong(change, expected):
    with pytest.raises(BadMessage, match=expected.replace("(", r"\(").replace(")", r"\)")):
        observation({**GOOD, **change}, 0)


def test_non_object_messages_are_refused():
    with pytest.raises(BadMessage, match="expected a JSON object, got list"):
        observation([1, 2, 3], 0)


def test_time_must_move_forward():
    feed = LiveFeed()
    feed.update(GOOD)
    with pytest.raises(BadMessage, match="t_ms: expected a time after 40"):
        feed.update(GOOD)


@pytest.fixture(scope="session")
def chin_messages(pose_model) -> list[dict]:
    """chin_lifted_left.mp4's landmarks as the live page would send them."""
    from formcheck.pose.estimator import track_video

    pose: Keypoints = track_video(SAMPLES / "chin_lifted_left.mp4", model=pose_model)
    return list(live_messages(pose, 640, 360))


@pytest.mark.slow
def test_a_replayed_sample_counts_its_reps_and_raises_its_fault_cue(chin_messages):
    feed = LiveFeed()
    answers = [feed.update(message) for message in chin_messages]
    assert answers[-1]["rep"] == 3
    raised = {a["cue"]["id"] for a in answers if a["cue"]}
    spoken = {a["say"]["id"] for a in answers if a["say"]}
    assert raised == {"chin_lifted"} and spoken == {"chin_lifted"}
    # the design's answer: {"rep", "phase", "metrics", "cues"}, the cues judged at that frame only
    assert all({"rep", "phase", "metrics", "cues"} <= a.keys() for a in answers)
    judged = [a for a in answers if a["judged"]]
    assert judged and all(a["cues"] == [] for a in answers if not a["judged"])
    assert [c["id"] for a in judged for c in a["cues"]] == ["chin_lifted"] * 3
    assert {a["phase"] for a in answers} >= {"concentric", "lockout", "eccentric"}
    measured = [a["metrics"]["neck_flexion_deg"] for a in answers if a["metrics"].get("neck_flexion_deg")]
    assert measured and min(measured) < 0  # the head is thrown back: below 0


@pytest.mark.slow
def test_the_websocket_answers_every_frame_and_survives_a_bad_one(client, chin_messages):
    messages = chin_messages[:80]
    with client.websocket_connect("/api/live", headers={"host": "127.0.0.1:8000"}) as ws:
        ws.send_text("not json")
        assert "error" in ws.receive_json()
        for message in messages:
            ws.send_text(json.dumps(message))
            answer = ws.receive_json()
            assert answer["t_ms"] == message["t_ms"] and answer["server_ms"] >= 0
        ws.send_text(json.dumps({**messages[-1], "width": -1}))
        assert "width" in ws.receive_json()["error"]
