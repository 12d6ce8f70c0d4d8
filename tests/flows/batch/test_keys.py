"""Rule-pack versions follow the pack's content, not the files it came from."""

from __future__ import annotations

import hashlib

from formcheck.flows.batch.keys import model_id, rules_version
from formcheck.rules import load_rule_pack


def test_same_content_same_version_whatever_the_file(tmp_path):
    empty = tmp_path / "nothing.toml"
    empty.write_text("# no changes\n")
    assert rules_version(load_rule_pack()) == rules_version(load_rule_pack(empty))


def test_a_changed_threshold_message_or_penalty_changes_the_version(tmp_path):
    base = rules_version(load_rule_pack())
    changes = ['[rules.chin_lifted]\nthreshold = -25.0\n',
               '[rules.chin_lifted]\nmessage = "Eyes on the knees."\n',
               '[scoring]\nwarning = 10\n']
    versions = []
    for i, text in enumerate(changes):
        path = tmp_path / f"r{i}.toml"
        path.write_text(text)
        versions.append(rules_version(load_rule_pack(path)))
    assert base not in versions and len(set(versions)) == len(versions)


def test_model_id_is_the_files_sha256(tmp_path):
    model = tmp_path / "m.task"
    model.write_bytes(b"not really a model")
    assert model_id(model) == hashlib.sha256(b"not really a model").hexdigest()
