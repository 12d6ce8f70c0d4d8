"""The package's lazy public API."""

from __future__ import annotations

import pytest

import formcheck.synth as synth


@pytest.mark.parametrize("name", synth.__all__)
def test_public_names_resolve(name: str) -> None:
    assert getattr(synth, name) is not None


def test_unknown_name_lists_the_public_ones() -> None:
    with pytest.raises(AttributeError, match="render_clip"):
        synth.render  # noqa: B018
