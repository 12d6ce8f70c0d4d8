"""Add the TFLite metadata the MediaPipe Tasks API needs to a bare pose landmark model.

The landmark model shipped in the mediapipe 0.10.21 wheel has no "TFLITE_METADATA" entry, and
PoseLandmarker refuses a model without one describing its image input (normalisation) and outputs.
The metadata writer inside mediapipe 1.2.x cannot be imported (a compiled module is missing), so this
writes the metadata in pure Python with the flatbuffers schema modules that mediapipe 1.2.x ships as
plain files under `mediapipe/tasks/metadata/`. They are loaded by file path, so this module never
imports (or initialises) mediapipe itself.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import flatbuffers

from formcheck.errors import ModelError

METADATA_NAME = "TFLITE_METADATA"
TFLITE_IDENTIFIER = b"TFL3"
METADATA_IDENTIFIER = b"M001"
# Oldest metadata parser that understands every field written here (ImageProperties, NormalizationOptions,
# Stats are all in the 1.0 schema).
MIN_PARSER_VERSION = "1.0.0"
# Byte alignment of weight buffers, as the TFLite converter writes them.
BUFFER_ALIGNMENT = 16


@dataclass(frozen=True)
class ImageInputSpec:
    """How raw RGB pixels map to the model's float input: (pixel - mean) / std."""

    mean: float = 0.0
    std: float = 255.0

    def __post_init__(self) -> None:
        if not self.std > 0:
            raise ValueError(f"expected a positive normalisation std, got {self.std}")


def _schema_module(name: str) -> ModuleType:
    """Load one generated flatbuffers schema module from the installed mediapipe, by file path."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("mediapipe is not installed: run `pip install -e .` (it ships the TFLite schemas)")
    path = Path(next(iter(spec.submodule_search_locations))) / "tasks" / "metadata" / f"{name}.py"
    if not path.is_file():
        raise ModelError(f"expected the TFLite schema module at {path}, but it is missing: "
                         "reinstall mediapipe 1.2.x")
    module_spec = importlib.util.spec_from_file_location(f"formcheck._vendored_{name}", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def tensor_names(model: bytes) -> tuple[list[str], list[str]]:
    """Names of the first subgraph's input and output tensors, in order."""
    schema = _schema_module("schema_py_generated")
    graph = schema.Model.GetRootAsModel(model, 0).Subgraphs(0)
    inputs = [graph.Tensors(graph.Inputs(i)).Name().decode() for i in range(graph.InputsLength())]
    outputs = [graph.Tensors(graph.Outputs(i)).Name().decode() for i in range(graph.OutputsLength())]
    return inputs, outputs


def metadata_names(model: bytes) -> list[str]:
    """Names of the model's metadata entries (e.g. "min_runtime_version", "TFLITE_METADATA")."""
    schema = _schema_module("schema_py_generated")
    root = schema.Model.GetRootAsModel(model, 0)
    return [root.Metadata(i).Name().decode() for i in range(root.MetadataLength())]


def _image_metadata_buffer(name: str, inputs: list[str], outputs: list[str], image: ImageInputSpec) -> bytes:
    """A serialised ModelMetadata: one image input with normalisation, one entry per output."""
    md = _schema_module("metadata_schema_py_generated")
    if len(inputs) != 1:
        raise ModelError(f"expected a landmark model with 1 image input, got {len(inputs)} inputs")
    norm = md.ProcessUnitT()
    norm.optionsType = md.ProcessUnitOptions.NormalizationOptions
    norm.options = md.NormalizationOptionsT()
    norm.options.mean, norm.options.std = [image.mean], [image.std]
    content = md.ContentT()
    content.contentPropertiesType = md.ContentProperties.ImageProperties
    content.contentProperties = md.ImagePropertiesT()
    content.contentProperties.colorSpace = md.ColorSpaceType.RGB
    stats = md.StatsT()
    stats.min, stats.max = [(0.0 - image.mean) / image.std], [(255.0 - image.mean) / image.std]
    image_in = md.TensorMetadataT()
    image_in.name, image_in.content, image_in.processUnits, image_in.stats = "image", content, [norm], stats
    outs = []
    for out_name in outputs:
        tensor = md.TensorMetadataT()
        tensor.name = out_name
        outs.append(tensor)
    graph = md.SubGraphMetadataT()
    graph.inputTensorMetadata, graph.outputTensorMetadata = [image_in], outs
    model = md.ModelMetadataT()
    model.name, model.subgraphMetadata, model.minParserVersion = name, [graph], MIN_PARSER_VERSION
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), METADATA_IDENTIFIER)
    return bytes(builder.Output())


class _AlignedBuffer:
    """A TFLite Buffer whose bytes are packed on a BUFFER_ALIGNMENT boundary.

    The generated `BufferT.Pack` aligns weights to 1 byte only, which makes TFLite copy every constant
    tensor to an aligned heap buffer at load ("unaligned buffer" warnings); the TFLite converter aligns
    them to 16, and so does this.
    """

    def __init__(self, schema: ModuleType, data: object, offset: int = 0, size: int = 0) -> None:
        self._schema = schema
        self._offset, self._size = offset, size
        self._data = None if data is None else bytes(memoryview(data))  # type: ignore[call-overload]

    def Pack(self, builder: flatbuffers.Builder) -> int:  # the flatbuffers object-API name
        vector = None
        if self._data is not None:
            builder.StartVector(1, len(self._data), BUFFER_ALIGNMENT)
            builder.head -= len(self._data)
            builder.Bytes[builder.head:builder.head + len(self._data)] = self._data
            vector = builder.EndVector()  # StartVector recorded the length
        self._schema.BufferStart(builder)
        if vector is not None:
            self._schema.BufferAddData(builder, vector)
        if self._offset or self._size:  # weights stored outside the flatbuffer (models > 2 GB)
            self._schema.BufferAddOffset(builder, self._offset)
            self._schema.BufferAddSize(builder, self._size)
        return int(self._schema.BufferEnd(builder))


def with_image_metadata(model: bytes, name: str, image: ImageInputSpec | None = None) -> bytes:
    """The model flatbuffer with a TFLITE_METADATA entry describing its image input and outputs.

    An existing TFLITE_METADATA entry is replaced; other metadata (e.g. min_runtime_version) is kept.
    """
    if model[4:8] != TFLITE_IDENTIFIER:
        raise ModelError(f"expected a TFLite flatbuffer (identifier TFL3), got {model[4:8]!r}")
    inputs, outputs = tensor_names(model)
    meta = _image_metadata_buffer(name, inputs, outputs, image or ImageInputSpec())
    schema = _schema_module("schema_py_generated")
    tree = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model, 0))
    tree.buffers = [_AlignedBuffer(schema, b.data, b.offset, b.size) for b in tree.buffers or []]
    tree.metadata = [m for m in (tree.metadata or []) if m.name.decode() != METADATA_NAME]
    tree.buffers.append(_AlignedBuffer(schema, meta))
    entry = schema.MetadataT()
    entry.name, entry.buffer = METADATA_NAME, len(tree.buffers) - 1
    tree.metadata.append(entry)
    builder = flatbuffers.Builder(0)
    builder.Finish(tree.Pack(builder), TFLITE_IDENTIFIER)
    return bytes(builder.Output())
