"""Client names are data: folder names are slugs plus a hash, never a way out of the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.history.names import check_client_name, client_dirname, set_dirname, slug, within


@pytest.mark.parametrize(("text", "expected"), [
    ("Ann Lee", "ann-lee"),
    ("../../etc/passwd", "etc-passwd"),
    ("Zoë Müller", "zoe-muller"),
    ("李雷", "x"),
    ("  --  ", "x"),
    ("a" * 100, "a" * 40),
    ("C:\\Users\\bob", "c-users-bob"),
])
def test_slug_is_a_safe_file_name(text, expected):
    assert slug(text) == expected


@pytest.mark.parametrize("name", ["..", "../outside", "/etc", "a/../../b", "nul\\..\\x", ".hidden", "~root"])
def test_no_client_name_leaves_the_output_folder(tmp_path, name):
    folder = tmp_path / client_dirname(name)
    assert within(tmp_path, folder)
    assert folder.parent == tmp_path
    assert "/" not in client_dirname(name) and not client_dirname(name).startswith(".")


@pytest.mark.parametrize(("a", "b"), [("Ann", "ann"), ("Ann", "Ann!"), ("Bob Smith", "bob-smith")])
def test_names_that_slug_alike_get_their_own_folders(a, b):
    assert slug(a) == slug(b)
    assert client_dirname(a) != client_dirname(b)


@pytest.mark.parametrize(("name", "expected"), [
    ("", "expected some text"),
    ("   ", "expected some text"),
    ("x" * 201, "at most 200"),
    ("bad\x00name", "control character"),
    ("tab\tname", "control character"),
])
def test_unusable_client_names_say_why(name, expected):
    with pytest.raises(ValueError, match=expected):
        check_client_name(name)


def test_client_names_are_normalised_not_changed():
    assert check_client_name("  Zoe\u0301 ") == "Zo\u00e9"
    assert check_client_name("O'Brien & Co") == "O'Brien & Co"


def test_set_folder_names_keep_the_video_name_and_content_hash():
    assert set_dirname("clips/Set 1.MP4", "ab" * 32) == "set-1-" + "ab" * 6
    assert Path(set_dirname("../../x.mp4", "cd" * 32)).name == set_dirname("../../x.mp4", "cd" * 32)
