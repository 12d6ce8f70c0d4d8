"""The server's side of the history database `formcheck batch` writes: one connection, one thread, one writer.

Every analysed upload (and every live set, which is saved as an upload) is recorded as a set of its client
through the same `HistoryStore` calls the batch driver makes: `ensure_client`, `find_set`, `save_set`, each
change one transaction. The analysis process only sends its `Judgement` back; this module, in the server
process, is the only one that writes. All store calls run on one dedicated thread, which owns the SQLite
connection, so the event loop never waits for the disk and no two calls overlap.

A set is keyed as batch keys it (the video's sha256 plus the formcheck, pose-model and rule-pack versions),
so uploading a video the client already has, judged the same way, analyses nothing and stores nothing new.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from formcheck import __version__
from formcheck.flows.batch.keys import model_id, rules_version
from formcheck.history.names import within
from formcheck.history.records import Judgement, SetKey, StoredSet
from formcheck.history.store import HistoryStore, now_iso
from formcheck.rules import RulePack
from formcheck.web.settings import ServeSettings

T = TypeVar("T")
REPORT_JSON = "report.json"


@dataclass(frozen=True)
class Upload:
    """What the writer needs to know of an analysed upload besides its judgement."""

    client: str
    video_sha256: str
    video_name: str  # the name the browser gave the file: shown, never used as a path
    video_path: Path  # where the server kept it while it was analysed
    folder: Path  # the set's outputs
    created: float  # when it was uploaded (seconds since the epoch)


class ServerHistory:
    """The history database as the server uses it. `start` and `stop` run in the app's lifespan."""

    def __init__(self, settings: ServeSettings, model: Path, pack: RulePack) -> None:
        self.db = settings.db
        self.roots = settings.report_roots
        self.own = settings.sets_dir  # holds the server's own set folders, the only ones it removes
        self.versions = (__version__, model_id(model), rules_version(pack))
        self._thread: ThreadPoolExecutor | None = None
        self._store: HistoryStore | None = None

    async def start(self) -> None:
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="formcheck-history")
        self._store = await self._run(lambda: HistoryStore(self.db))

    async def stop(self) -> None:
        if self._thread is None:
            return
        if self._store is not None:
            await self._run(self._store.close)
        self._thread.shutdown(wait=True)
        self._thread = None

    async def _run(self, call: Callable[[], T]) -> T:
        assert self._thread is not None, "ServerHistory.start() first"
        return await asyncio.get_running_loop().run_in_executor(self._thread, call)

    def key(self, video_sha256: str) -> SetKey:
        """The key this server's analysis of the video would be stored under."""
        return SetKey(video_sha256, *self.versions)

    # ------------------------------------------------------------ reads

    async def clients(self) -> list[str]:
        return await self._run(lambda: self._opened().client_names())

    async def sets(self, client: str) -> list[StoredSet]:
        """The client's sets, oldest session first (as `formcheck history` reads them); [] when unknown."""
        return await self._run(lambda: self._sets(client))

    async def find(self, client: str, video_sha256: str) -> StoredSet | None:
        """The client's set of this video, if stored; never another client's."""
        return await self._run(lambda: self._find(client, video_sha256))

    async def done(self, client: str, video_sha256: str) -> StoredSet | None:
        """The stored set when this server would store nothing new for the video (batch's "already done"):
        the same key, and its report in place where the server can show it."""
        stored = await self.find(client, video_sha256)
        if stored is None or stored.record.key != self.key(video_sha256):
            return None
        folder = self.served_folder(stored)
        return stored if folder is not None and (folder / REPORT_JSON).is_file() else None

    def served_folder(self, stored: StoredSet) -> Path | None:
        """The set's folder when the server may read it (under one of its roots), else None."""
        folder = Path(stored.record.report_dir)
        return folder if any(within(root, folder) for root in self.roots) else None

    # ------------------------------------------------------------ the one write

    async def record(self, upload: Upload, judgement: Judgement) -> int:
        """Store an analysed upload as a set of its client, in one transaction; returns the set's id.

        An earlier analysis of the same video for the same client is replaced (it keeps its session, as in
        batch), and its folder removed when it was one of this server's own."""
        now = datetime.fromtimestamp(upload.created, UTC)
        record = judgement.record(
            self.key(upload.video_sha256), video_path=str(upload.video_path.resolve()),
            video_name=upload.video_name, report_dir=str(upload.folder.resolve()),
            recorded_at=now.replace(microsecond=0).isoformat(), analysed_at=now_iso())
        # the session is the day it was uploaded, on this machine's calendar
        session = datetime.fromtimestamp(upload.created).date().isoformat()

        def write() -> tuple[int, Path | None]:
            store = self._opened()
            client = store.ensure_client(upload.client)
            old = store.find_set(client.id, upload.video_sha256)
            set_id = store.save_set(client.id, session, record)
            replaced = Path(old.record.report_dir) if old is not None else None
            return set_id, replaced

        set_id, replaced = await self._run(write)
        if replaced is not None and replaced.resolve() != upload.folder.resolve() \
                and replaced.resolve().parent == self.own.resolve():
            shutil.rmtree(replaced, ignore_errors=True)
        return set_id

    # ------------------------------------------------------------ on the store's thread

    def _opened(self) -> HistoryStore:
        assert self._store is not None, "ServerHistory.start() first"
        return self._store

    def _sets(self, client: str) -> list[StoredSet]:
        store = self._opened()
        found = store.client(client)
        return store.sets(found.id) if found is not None else []

    def _find(self, client: str, video_sha256: str) -> StoredSet | None:
        store = self._opened()
        found = store.client(client)
        return store.find_set(found.id, video_sha256) if found is not None else None
