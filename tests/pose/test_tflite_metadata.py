"""TFLite metadata written in pure Python: what the Tasks API reads back from the landmark model."""

from __future__ import annotations

import zipfile

import pytest

from formcheck.errors import ModelError
from formcheck.pose.models import LANDMARKS_MEMBER, MEDIAPIPE_WHEEL, OFFLINE_RECIPES, ensure_model
from formcheck.pose.tflite_metadata import (
    BUFFER_ALIGNMENT,
    METADATA_NAME,
    ImageInputSpec,
    _schema_module,
    metadata_names,
    tensor_names,
    with_image_metadata,
)


@pytest.fixture(scope="module")
def bare_landmarks() -> bytes:
    """The landmark model exactly as the pinned wheel ships it (no TFLITE_METADATA)."""
    wheel = ensure_model("full").parent / "wheels" / MEDIAPIPE_WHEEL.filename
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(OFFLINE_RECIPES["full"].landmarks_path)


def _read_metadata(model: bytes) -> object:
    schema = _schema_module("schema_py_generated")
    root = schema.Model.GetRootAsModel(model, 0)
    index = [root.Metadata(i).Name().decode() for i in range(root.MetadataLength())].index(METADATA_NAME)
    buffer = root.Buffers(root.Metadata(index).Buffer()).DataAsNumpy().tobytes()
    md = _schema_module("metadata_schema_py_generated")
    assert md.ModelMetadata.ModelMetadataBufferHasIdentifier(buffer, 0)
    return md.ModelMetadata.GetRootAsModelMetadata(buffer, 0)


def test_bare_model_lacks_metadata(bare_landmarks: bytes) -> None:
    assert METADATA_NAME not in metadata_names(bare_landmarks)


def test_metadata_describes_image_input_and_every_output(bare_landmarks: bytes) -> None:
    out = with_image_metadata(bare_landmarks, "pose_landmarks_detector")
    inputs, outputs = tensor_names(out)
    assert tensor_names(bare_landmarks) == (inputs, outputs) and len(outputs) == 5
    graph = _read_metadata(out).SubgraphMetadata(0)
    names = [graph.OutputTensorMetadata(i).Name().decode() for i in range(graph.OutputTensorMetadataLength())]
    assert names == outputs
    image = graph.InputTensorMetadata(0)
    md = _schema_module("metadata_schema_py_generated")
    assert image.Content().ContentPropertiesType() == md.ContentProperties.ImageProperties
    norm = md.NormalizationOptions()
    table = image.ProcessUnits(0).Options()
    norm.Init(table.Bytes, table.Pos)
    assert (norm.MeanAsNumpy().tolist(), norm.StdAsNumpy().tolist()) == ([0.0], [255.0])
    assert (image.Stats().MinAsNumpy().tolist(), image.Stats().MaxAsNumpy().tolist()) == ([0.0], [1.0])


def test_weights_survive_and_are_aligned(bare_landmarks: bytes) -> None:
    out = with_image_metadata(bare_landmarks, "pose_landmarks_detector")
    schema = _schema_module("schema_py_generated")
    before, after = schema.Model.GetRootAsModel(bare_landmarks, 0), schema.Model.GetRootAsModel(out, 0)
    assert after.BuffersLength() == before.BuffersLength() + 1
    for i in range(0, before.BuffersLength(), 37):  # a spread sample of the 348 buffers
        old, new = before.Buffers(i), after.Buffers(i)
        assert new.DataLength() == old.DataLength()
        if old.DataLength():
            assert new.DataAsNumpy().tobytes() == old.DataAsNumpy().tobytes()
            start = new._tab.Vector(new._tab.Offset(4))  # absolute offset of the data bytes
            assert start % BUFFER_ALIGNMENT == 0


def test_metadata_is_replaced_not_duplicated(bare_landmarks: bytes) -> None:
    once = with_image_metadata(bare_landmarks, "pose_landmarks_detector")
    twice = with_image_metadata(once, "pose_landmarks_detector", ImageInputSpec(mean=127.5, std=127.5))
    assert metadata_names(twice).count(METADATA_NAME) == 1
    assert "min_runtime_version" in metadata_names(twice)


@pytest.mark.parametrize("data", [b"", b"\x00" * 64, b"PK\x03\x04" + bytes(60)])
def test_non_tflite_input_is_refused(data: bytes) -> None:
    with pytest.raises(ModelError, match="expected a TFLite flatbuffer"):
        with_image_metadata(data, "x")


@pytest.mark.parametrize("std", [0.0, -1.0])
def test_image_spec_needs_positive_std(std: float) -> None:
    with pytest.raises(ValueError, match="expected a positive normalisation std"):
        ImageInputSpec(std=std)


def test_bundle_member_is_the_metadata_version(bare_landmarks: bytes) -> None:
    with zipfile.ZipFile(ensure_model("full")) as zf:
        member = zf.read(LANDMARKS_MEMBER)
    assert member == with_image_metadata(bare_landmarks, "pose_landmarks_detector")
