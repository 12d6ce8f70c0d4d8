"""Receiving one uploaded set: streamed to disk in chunks under a server-made name, capped, checked by
content.

The multipart body is parsed as it arrives (python-multipart's streaming parser), so a 1 GB upload never
sits in memory and an oversized one is cut off at the cap. The file is then judged by what it is, not by
what it is called: container magic bytes first (a clear word for images, text and empty files), then
OpenCV must open it and decode a frame. Every refusal is an `UploadRejected` carrying a 4xx status and
one line for the page.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

CLIENT_MAX_CHARS = 64
# Letters and digits of any script, spaces and a few marks; a client name is data, never a path.
_CLIENT_NAME = re.compile(r"^[\w][\w .'-]*$")
MULTIPART_SLACK = 64 * 1024  # headers and the client field around the file part
FIELD_MAX_BYTES = 1024
FILE_LABEL_CHARS = 120

# Containers a phone, a camera or a browser's recorder writes: (signature test, file suffix, name).
VIDEO_KINDS = (
    (lambda head: head[4:8] == b"ftyp", ".mp4", "MP4/MOV"),
    (lambda head: head[:4] == b"\x1aE\xdf\xa3", ".webm", "WebM/Matroska"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"AVI ", ".avi", "AVI"),
)
NOT_VIDEOS = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
    b"%PDF": "a PDF document", b"PK\x03\x04": "a zip archive",
}


class UploadRejected(Exception):
    """An upload the server will not analyse: `status` is the HTTP status, the message is for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ReceivedUpload:
    """A fully received file part: where it is, its size and sha256, the client it belongs to and the name
    the browser gave the file (data to show, never a path)."""

    path: Path
    size: int
    sha256: str
    client: str
    name: str = ""


def file_label(raw: str) -> str:
    """The browser's name for the file, as something to show: its last path part, printable, at most
    FILE_LABEL_CHARS characters."""
    last = raw.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(c for c in unicodedata.normalize("NFC", last) if unicodedata.category(c)[0] != "C")
    return printable.strip()[:FILE_LABEL_CHARS]


def check_client(name: str) -> str:
    """The client name, normalised (NFC, trimmed); UploadRejected(400) naming what is allowed."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise UploadRejected(400, "name the client this set belongs to")
    if len(name) > CLIENT_MAX_CHARS or not _CLIENT_NAME.match(name):
        raise UploadRejected(400, f"client name: expected up to {CLIENT_MAX_CHARS} letters, digits, spaces, "
                                  f"dots, dashes or apostrophes, got {name[:80]!r}")
    return name


class _Receiver:
    """Callbacks for the streaming multipart parser: the `file` part goes to disk, `client` to memory."""

    def __init__(self, target: Path, max_bytes: int) -> None:
        self.target, self.max_bytes = target, max_bytes
        self.size = 0
        self.digest = hashlib.sha256()
        self.fields: dict[str, bytearray] = {}
        self.saw_file = False
        self.filename = ""
        self._headers: dict[bytes, bytes] = {}
        self._field: bytes = b""
        self._value: bytes = b""
        self._part: str | None = None
        self._out = None

    def callbacks(self) -> dict:
        return {"on_part_begin": self._begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished, "on_part_data": self._data,
                "on_part_end": self._end}

    def _begin(self) -> None:
        self._headers, self._part = {}, None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._part = options.get(b"name", b"").decode("utf-8", "replace")
        if self._part == "file":
            if self.saw_file:
                raise UploadRejected(400, "send one video per upload")
            self.saw_file = True
            self.filename = file_label(options.get(b"filename", b"").decode("utf-8", "replace"))
            self._out = self.target.open("wb")
        else:
            self.fields[self._part] = bytearray()

    def _data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._part == "file" and self._out is not None:
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise UploadRejected(413, f"the video is larger than this server accepts "
                                          f"({_mib(self.max_bytes)}); trim it to the set")
            self.digest.update(chunk)
            self._out.write(chunk)
        elif self._part is not None:
            field = self.fields[self._part]
            if len(field) + len(chunk) > FIELD_MAX_BYTES:
                raise UploadRejected(400, f"form field {self._part!r} is too long")
            field.extend(chunk)

    def _end(self) -> None:
        if self._part == "file" and self._out is not None:
            self._out.close()
            self._out = None

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


async def receive_upload(content_type: str, content_length: str | None, body: AsyncIterator[bytes],
                         target: Path, max_bytes: int) -> ReceivedUpload:
    """Stream a multipart body (fields `file` and `client`) into `target`; UploadRejected on any problem.

    The partial file is removed whenever the upload is refused.
    """
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRejected(415, "send the video as multipart/form-data with fields 'file' and 'client'")
    if content_length is not None and content_length.isdigit() \
            and int(content_length) > max_bytes + MULTIPART_SLACK:
        raise UploadRejected(413, f"the video is larger than this server accepts ({_mib(max_bytes)}); "
                                  "trim it to the set")
    receiver = _Receiver(target, max_bytes)
    parser = MultipartParser(boundary, receiver.callbacks())
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        target.unlink(missing_ok=True)
        raise UploadRejected(400, f"the upload was cut off or malformed ({exc})") from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        receiver.close()
    try:
        if not receiver.saw_file:
            raise UploadRejected(400, "choose a video file to upload")
        client = check_client(bytes(receiver.fields.get("client", b"")).decode("utf-8", "replace"))
        if receiver.size == 0:
            raise UploadRejected(400, "the file is empty (0 bytes)")
    except UploadRejected:
        target.unlink(missing_ok=True)
        raise
    return ReceivedUpload(target, receiver.size, receiver.digest.hexdigest(), client, receiver.filename)


def sniff_video(path: Path) -> str:
    """The file suffix for a recognised video container; UploadRejected(415) saying what the file is."""
    with path.open("rb") as handle:
        head = handle.read(64)
    for test, suffix, _name in VIDEO_KINDS:
        if test(head):
            return suffix
    for signature, what in NOT_VIDEOS.items():
        if head.startswith(signature):
            raise UploadRejected(415, f"that file is {what}, not a video; upload the video of the set")
    if head[8:12] == b"WEBP":
        raise UploadRejected(415, "that file is a WebP image, not a video; upload the video of the set")
    if _looks_like_text(head):
        raise UploadRejected(415, "that file is text, not a video; upload the video of the set")
    raise UploadRejected(415, "that file is not a video formcheck can read (MP4, MOV, WebM or AVI)")


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(b >= 0x20 or b in b"\t\r\n" for b in head)


def check_video(path: Path) -> None:
    """OpenCV must open the file and decode its first frame; UploadRejected(422) with the reason."""
    from formcheck.capture.video import open_video
    from formcheck.errors import InputError

    try:
        source = open_video(path)
    except InputError as exc:
        raise UploadRejected(422, _without_path(str(exc), path)) from exc
    source.close()


def _without_path(message: str, path: Path) -> str:
    """The reader's message without the server's own file name, which means nothing to the uploader."""
    return message.replace(f"{path}: ", "the video ", 1).replace(str(path), "the video")


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB" if n >= 1 << 20 else f"{n} bytes"

