"""Our TinyDB ``Storage``: one JSON file, saved atomically, changed only under a lock.

How it differs from TinyDB's ``JSONStorage``, and why:

- Saves go through ``write_atomically`` (temp file, fsync, rename, fsync of the folder), so a
  crash leaves the old or the new file, never a torn one; the last good versions are kept
  as rotating backups (see backups.py).
- Merge-on-write: changes happen inside ``transaction()``, which takes the lock, re-reads the
  file if another process replaced it since we last saw it, lets the caller apply its change
  to that fresh data (through ordinary TinyDB table calls), and saves once at the end.
  ``write()`` inside a transaction only records the new state; outside one it is refused,
  because a blind write could discard another process's changes.
- "Changed since we last saw it" is the file's (device, inode, size, mtime, ctime): every save
  of ours or another reader's is a rename of a fresh inode, so it shows up there. Reading
  when nothing changed is skipped, which is most of the cost of a save at 10^5 annotations.
- Serialising a whole TinyDB file with ``json.dumps`` costs ~25 ms at 10^4 documents, and
  TinyDB's ``Table`` rebuilds the whole table dict twice per write. So the reading list
  changes documents through ``replace_documents``, which edits only those documents and
  re-encodes only their JSON; the file is the cached fragments joined (one C-level join).
  Plain TinyDB writes (``table.insert`` etc. inside a transaction) still work: ``write()``
  cannot know what changed, so it re-encodes everything.
- A file that fails to load (``on_load`` raises) is never written to; a copy is kept and the
  caller gets CorruptStoreError / NewerSchemaError.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

from tinydb.storages import Storage

from reader.storage.atomic_file import remove_stale_temporaries, write_atomically
from reader.storage.backups import DEFAULT_INTERVAL, keep_damaged_copy, rotate_backups
from reader.storage.errors import (
    CorruptStoreError,
    NewerSchemaError,
    ReadOnlyError,
    SaveError,
)
from reader.storage.locking import DEFAULT_TIMEOUT, LockTimeout, exclusive_lock
from reader.storage.schema import SCHEMA_VERSION, NewerSchema, SchemaProblem, Tables

_READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


class FileSignature(NamedTuple):
    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, result: os.stat_result) -> FileSignature:
        return cls(
            result.st_dev, result.st_ino, result.st_size, result.st_mtime_ns, result.st_ctime_ns
        )


class JSONFileStorage(Storage):
    def __init__(
        self,
        path: Path | str,
        *,
        on_load: Callable[[Tables], None],
        empty: Callable[[], Tables],
        read_only_reason: str | None = None,
        backup_interval: float = DEFAULT_INTERVAL,
        lock_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """``on_load`` checks (and may index) freshly read data, raising SchemaProblem or
        NewerSchema; ``empty`` makes the data of a missing file."""
        super().__init__()
        self.path = Path(path)
        self.read_only_reason = read_only_reason
        self._on_load = on_load
        self._empty = empty
        self._backup_interval = backup_interval
        self._lock_timeout = lock_timeout
        self._data: Tables | None = None
        self._signature: FileSignature | None = None
        # Per table, per document id: the bytes '"<id>":{...}' of that document; a table
        # missing here is encoded in full at the next save.
        self._fragments: dict[str, dict[str, bytes]] = {}
        self._in_transaction = False
        self._pending = False

    # -- TinyDB Storage interface -------------------------------------------------------

    def read(self) -> Tables:
        if self._data is None:
            self.load()
        assert self._data is not None
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """TinyDB's whole-state write: recorded, saved when the transaction ends."""
        self._require_transaction()
        self._data = data
        self._fragments.clear()
        self._pending = True

    def replace_documents(self, table: str, documents: dict[int, dict[str, Any] | None]) -> None:
        """Set (or, for None, delete) these documents of ``table``; saved at transaction end.

        The documents are stored as given: the caller must not mutate them afterwards.
        """
        self._require_transaction()
        tables = self.read()
        rows = tables.setdefault(table, {})
        fragments = self._fragments.get(table)
        for doc_id, document in documents.items():
            key = str(doc_id)
            if document is None:
                rows.pop(key, None)
                if fragments is not None:
                    fragments.pop(key, None)
            else:
                rows[key] = document
                if fragments is not None:
                    fragments[key] = _encode_document(key, document)
        self._pending = True

    def _require_transaction(self) -> None:
        if not self._in_transaction:
            # A write outside a transaction would skip the lock and the re-read, and so
            # could discard another process's changes.
            raise RuntimeError("reading list writes must happen inside storage.transaction()")

    # -- loading ------------------------------------------------------------------------

    def changed_on_disk(self) -> bool:
        """True when the file is not the version we last read or wrote (a stat, no read)."""
        try:
            current: FileSignature | None = FileSignature.of(os.stat(self.path))
        except FileNotFoundError:
            current = None
        except OSError:
            return False
        return self._data is None or current != self._signature

    def refresh(self) -> bool:
        """Re-read the file if it changed; True when it did."""
        if not self.changed_on_disk():
            return False
        self.load()
        return True

    def load(self) -> None:
        """Read and check the file now (a missing file reads as an empty reading list).

        Raises CorruptStoreError / NewerSchemaError, leaving the previous state in place.
        """
        try:
            with open(self.path, "rb") as handle:
                signature: FileSignature | None = FileSignature.of(os.fstat(handle.fileno()))
                content = handle.read()
        except FileNotFoundError:
            data, signature, content = self._empty(), None, None
        except IsADirectoryError:
            raise CorruptStoreError(self.path, "is a folder, not a reading list file") from None
        except OSError as error:
            raise CorruptStoreError(self.path, f"cannot be read: {_reason(error)}") from error
        if content is not None:
            data = self._parse(content)
        try:
            self._on_load(data)
        except SchemaProblem as problem:
            assert content is not None  # empty data always passes
            self._corrupt(content, f"not a valid reading list: {problem}")
        except NewerSchema as newer:
            raise NewerSchemaError(self.path, newer.found, SCHEMA_VERSION) from None
        self._data = data
        self._signature = signature
        self._fragments.clear()

    def _parse(self, content: bytes) -> Tables:
        if not content.strip():
            # We never create an empty file (a new database is written with its schema), so
            # an empty one means truncation or a foreign tool: treat it as damage, not as an
            # empty reading list, or a truncated file would silently lose everything.
            self._corrupt(
                content, f"the file is empty ({len(content)} bytes); expected a JSON reading list"
            )
        try:
            data: Tables = json.loads(content)
        except UnicodeDecodeError as error:
            self._corrupt(content, f"not valid UTF-8 text (byte {error.start})")
        except json.JSONDecodeError as error:
            self._corrupt(content, f"not valid JSON: {_json_problem(error)}")
        except RecursionError:
            self._corrupt(content, "not a reading list: JSON nested too deeply to read")
        return data

    def _corrupt(self, content: bytes, message: str) -> NoReturn:
        try:
            copy: Path | None = keep_damaged_copy(self.path, content)
        except OSError:
            copy = None
        if copy is not None:
            message += f" (a copy was kept as {copy.name})"
        raise CorruptStoreError(self.path, message, damaged_copy=copy)

    # -- changing -----------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Lock, catch up with the file, run the body, save once if it wrote anything.

        On any error the in-memory data is dropped (the next read reloads from disk), so what
        the caller sees always matches the file.
        """
        if self.read_only_reason is not None:
            raise ReadOnlyError(self.path, self.read_only_reason)
        with contextlib.ExitStack() as stack:
            self._acquire_lock(stack)
            self._in_transaction = True
            try:
                self.refresh()
                yield
                if self._pending:
                    self._save()
            except BaseException:
                self._forget()
                raise
            finally:
                self._in_transaction = False
                self._pending = False

    def prepare(self) -> None:
        """Load for writing: under the lock, create the file if missing (with its schema,
        never 0 bytes) and delete temporaries a killed writer left behind."""
        with self.transaction():
            remove_stale_temporaries(self.path)
            if self._signature is None:
                self._pending = True

    def _acquire_lock(self, stack: contextlib.ExitStack) -> None:
        try:
            stack.enter_context(exclusive_lock(self.path, self._lock_timeout))
        except LockTimeout as timeout:
            raise SaveError(self.path, f"cannot save changes: {timeout}") from None
        except OSError as error:
            self._fail_write(error)

    def _save(self) -> None:
        assert self._data is not None
        payload = self._serialise(self._data)
        # A failed backup must not cost the user the change they just made.
        with contextlib.suppress(OSError):
            rotate_backups(self.path, interval=self._backup_interval)
        try:
            self._signature = FileSignature.of(write_atomically(self.path, payload))
        except OSError as error:
            self._fail_write(error)

    def _fail_write(self, error: OSError) -> None:
        if error.errno in _READ_ONLY_ERRNOS:
            self.read_only_reason = f"the file or its folder is not writable ({_reason(error)})"
            raise ReadOnlyError(self.path, self.read_only_reason) from error
        raise SaveError(
            self.path, f"could not save; the previous version is intact ({_reason(error)})"
        ) from error

    def _forget(self) -> None:
        self._data = None
        self._signature = None
        self._fragments.clear()

    def _serialise(self, data: Tables) -> list[bytes]:
        """The file's bytes as chunks (joining them would copy megabytes for nothing)."""
        chunks: list[bytes] = []
        for name, table in data.items():
            fragments = self._fragments.get(name)
            if fragments is None:
                fragments = {key: _encode_document(key, doc) for key, doc in table.items()}
                self._fragments[name] = fragments
            table_key = json.dumps(name, ensure_ascii=False).encode("utf-8")
            chunks += [b"," if chunks else b"{", table_key, b":{", b",".join(fragments.values())]
            chunks.append(b"}")
        chunks.append(b"}" if chunks else b"{}")
        return chunks


def _encode_document(key: str, document: dict[str, Any]) -> bytes:
    encoded = json.dumps({key: document}, ensure_ascii=False, separators=(",", ":"))
    return encoded[1:-1].encode("utf-8")


def _json_problem(error: json.JSONDecodeError) -> str:
    """``Expecting ',' delimiter at line 3 column 7``; some of json's messages already end
    in "at" ("Unterminated string starting at"), which must not become "at at"."""
    where = f"line {error.lineno} column {error.colno}"
    if error.msg.endswith(" at"):
        return f"{error.msg} {where}"
    return f"{error.msg} at {where}"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
