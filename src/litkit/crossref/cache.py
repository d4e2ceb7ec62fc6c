"""The on-disk cache of Crossref records: one JSON file per DOI, and a not-found list.

Each file holds the Crossref work record exactly as the API returned it (``message``) and
where it came from (``provenance``: the DOI as requested, the record's own DOI, when it
was fetched, the API's address and message version, litkit's version). Only records that
are Crossref works (:func:`~litkit.crossref.records.work_problem`) are ever written.
Files are written atomically, so a run killed at any instant leaves only whole files, and
a rerun carries on where it stopped. A fetch does not flush each record to disk (an
``fsync`` per file costs more than the rest of the write); it syncs the folder once per
list request and once for the DOIs asked for one by one. The trade-off: a power failure in
the seconds after a sync may leave some of the records written since empty; reading one
is then a CacheError naming the file, and a ``--refresh`` of that DOI replaces it.

Everything ``litkit fetch`` writes stays inside the cache folder: the records, the list
of DOIs Crossref did not know (``not-found.csv``) and the lock file that keeps two fetches
from writing at once (``.litkit-fetch.lock``).

File names are the lower-cased DOI with every character but ``[a-z0-9._-]`` percent-encoded,
so ``/`` can never make a path, DOIs that differ only in case share a file, and
``10.5555/../../x`` stays inside the folder.

>>> cache_filename("10.1016/S0140-6736(20)30183-5")
'10.1016%2Fs0140-6736%2820%2930183-5.json'
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import orjson
from filelock import FileLock, Timeout

from litkit import __version__
from litkit.crossref.records import decode_slim, work_problem
from litkit.crossref.records import slim as slim_record
from litkit.errors import CacheError
from litkit.files import atomic_write, atomic_write_bytes, remove_temporary_files, sync_folder

# Most file systems cap a name at 255 bytes; a longer DOI keeps a readable head and a hash.
_MAX_NAME = 200
RECORD_SUFFIX = ".json"
NOT_FOUND_NAME = "not-found.csv"
NOT_FOUND_COLUMNS = ("doi", "agency", "reason", "checked_at")
LOCK_NAME = ".litkit-fetch.lock"
_EXPECTED_RECORD = (
    "a JSON object with 'provenance' and 'message' (a Crossref work record,"
    " as `litkit fetch` writes)"
)


def cache_filename(doi: str) -> str:
    """The file name that holds ``doi``: safe on any file system, one per DOI."""
    stem = quote(doi.strip().lower(), safe="._-")
    if len(stem) > _MAX_NAME:
        digest = hashlib.sha256(stem.encode()).hexdigest()[:16]
        stem = f"{stem[: _MAX_NAME - 17]}~{digest}"
    return f"{stem}{RECORD_SUFFIX}"


def utc_now() -> str:
    """The current UTC time as ISO 8601 with a ``Z``, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def public_url(url: str) -> str:
    """``url`` without credentials, query or fragment: fit to be written down or shown.

    >>> public_url("https://user:secret@api.example.org:8443/v1/?token=abc#top")
    'https://api.example.org:8443/v1/'
    """
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def os_problem(exc: OSError) -> str:
    """What an operating-system error means for a cache, in words."""
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "cannot write there (read-only, or no permission)"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return "a file is in the way where a folder should be"
    return exc.strerror or str(exc)


@dataclass(frozen=True)
class CachedRecord:
    """One cache file: the Crossref record and its provenance."""

    message: dict
    provenance: dict
    path: Path


class CrossrefCache:
    """A folder of cached Crossref records keyed by DOI.

    DOIs Crossref answered 404 for are never cached as records; they are listed in the
    folder's ``not-found.csv`` so that an audit can say so. (litkit before 0.2 kept that
    list beside the folder, as ``crossref-not-found.csv`` for ``crossref/``; it is still
    read, and moved into the folder by the next fetch.)
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    # -- the not-found list ---------------------------------------------------------------

    @property
    def not_found_file(self) -> Path:
        return self.folder / NOT_FOUND_NAME

    @property
    def legacy_not_found_file(self) -> Path:
        """Where litkit before 0.2 kept the not-found list: beside the folder."""
        return self.folder.parent / f"{self.folder.name}-not-found.csv"

    def not_found(self) -> dict[str, dict[str, str]]:
        """The DOIs Crossref did not know at the last look, by DOI."""
        for path in (self.not_found_file, self.legacy_not_found_file):
            if path.is_file():
                return _read_not_found(path)
        return {}

    def note_lookups(
        self, not_found: dict[str, tuple[str | None, str]], fetched: Iterable[str]
    ) -> Path | None:
        """Record DOIs found missing (doi → (agency, reason)); forget those fetched since.

        The list is rewritten only when it changes. Returns the old list beside the folder
        when it was moved into the folder (its rows kept), so the caller can say so.
        """
        fetched = set(fetched)
        before = self.not_found()
        rows = {d: r for d, r in before.items() if d not in fetched}
        for doi, (agency, reason) in not_found.items():
            rows[doi] = {
                "doi": doi,
                "agency": agency or "",
                "reason": reason,
                "checked_at": utc_now(),
            }
        legacy = self.legacy_not_found_file
        moving = legacy.is_file() and not self.not_found_file.is_file()
        if rows == before and not moving:
            return None

        def dump(out):
            writer = csv.DictWriter(
                out, fieldnames=NOT_FOUND_COLUMNS, lineterminator="\n", extrasaction="ignore"
            )
            writer.writeheader()
            writer.writerows(rows[d] for d in sorted(rows))

        self._write(self.not_found_file, dump, durable=True)
        if moving:
            legacy.unlink()
            return legacy
        return None

    # -- records ---------------------------------------------------------------------------

    def path_for(self, doi: str) -> Path:
        """The file for ``doi``; always directly inside the cache folder."""
        return self.folder / cache_filename(doi)

    def has(self, doi: str) -> bool:
        """Whether a record for ``doi`` is cached (atomic writes: a file is always whole)."""
        return self.path_for(doi).is_file()

    def cached(self, dois: Iterable[str]) -> set[str]:
        """Those of ``dois`` that have a record, from one listing of the folder (no stat each)."""
        return set(self._cached_files(dois))

    def _cached_files(self, dois: Iterable[str]) -> dict[str, str]:
        """The file name of each of ``dois`` that has a record, from one listing of the folder."""
        try:
            names = {entry.name for entry in _scandir(self.folder)}
        except FileNotFoundError:
            return {}
        except NotADirectoryError:
            raise CacheError(
                f"{self.folder}: is a file; the Crossref cache must be a folder"
            ) from None
        files = {doi: cache_filename(doi) for doi in dois}
        return {doi: name for doi, name in files.items() if name in names}

    def write(
        self,
        doi: str,
        message: dict,
        *,
        message_version: str | None,
        api_url: str,
        via: str,
        durable: bool = True,
    ) -> Path:
        """Store the work record ``message`` for ``doi`` atomically (a temporary file, then a rename).

        The provenance records the DOI as requested and the record's own DOI; when they
        differ (Crossref answers an alias DOI with the record of its primary DOI) it says so
        in ``alias_of``. ``api_url`` is stored without credentials or query. Raises
        :class:`CacheError` for a message that is not a work record or a write that fails.

        Args:
            durable: flush this file to disk before the rename; a run writing many records
                passes ``False`` and calls :meth:`sync` once per batch instead.
        """
        path = self.path_for(doi)
        problem = work_problem(message)
        if problem:
            raise CacheError(
                f"{path}: refusing to cache an answer that is not a Crossref work ({problem})"
            )
        record_doi = message["DOI"].strip().lower()
        provenance = {
            "requested_doi": doi,
            "record_doi": record_doi,
            "fetched_at": utc_now(),
            "api_url": public_url(api_url),
            "api_message_version": message_version,
            "request": via,
            "litkit_version": __version__,
        }
        if record_doi != doi.strip().lower():
            provenance["alias_of"] = record_doi
        data = encode_record({"provenance": provenance, "message": message})
        try:
            try:
                return atomic_write_bytes(path, data, durable=durable)
            except FileNotFoundError:  # the first record of a new cache
                self.prepare()
                return atomic_write_bytes(path, data, durable=durable)
        except OSError as exc:
            raise CacheError(_write_problem(path, exc)) from None

    def read(self, doi: str) -> CachedRecord:
        """The cached record for ``doi``; raises ``FileNotFoundError`` if there is none."""
        return self._read_file(self.path_for(doi))

    def read_many(
        self, dois: Iterable[str], *, slim: bool = False
    ) -> Iterator[tuple[str, dict, dict]]:
        """``(doi, message, provenance)`` for each of ``dois`` that has a record, by DOI.

        One listing of the folder finds the files, so DOIs without a record cost no look-up.
        With ``slim``, each message is cut as :func:`~litkit.crossref.records.slim` cuts it
        as its file is read, decoding only the fields kept
        (:func:`~litkit.crossref.records.decode_slim`), so that a build never holds, or
        even decodes, tens of thousands of whole records (most of whose bytes are reference
        lists). From :data:`READ_PARALLEL_FROM` records on, the files are read on every
        core, in order. Raises :class:`CacheError` for the first unreadable file.
        """
        files = self._cached_files(dois)
        named = [(doi, files[doi]) for doi in sorted(files)]
        workers = min(os.cpu_count() or 1, 8)
        if len(named) < READ_PARALLEL_FROM or workers < 2:
            yield from _read_named(self.folder, named, slim)
            return
        size = -(-len(named) // (workers * 4))
        chunks = [named[i : i + size] for i in range(0, len(named), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            reads = pool.map(_read_chunk, repeat(self.folder), chunks, repeat(slim))
            for chunk in reads:
                yield from chunk

    def records(self) -> Iterator[CachedRecord]:
        """Every cached record, in file-name order (temporary files are skipped)."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob(f"*{RECORD_SUFFIX}")):
            yield self._read_file(path)

    @staticmethod
    def _read_file(path: Path) -> CachedRecord:
        try:
            envelope = orjson.loads(path.read_bytes())  # several times json's speed
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CacheError(
                f"{path}: not valid JSON ({exc}); expected {_EXPECTED_RECORD}"
            ) from None
        except IsADirectoryError:
            raise CacheError(f"{path}: is a folder; expected {_EXPECTED_RECORD}") from None
        if not isinstance(envelope, dict):
            problem = work_problem(envelope)  # names the JSON type
            raise CacheError(f"{path}: {problem}; expected {_EXPECTED_RECORD}")
        if not isinstance(envelope.get("provenance"), dict):
            raise CacheError(f"{path}: no 'provenance' object; expected {_EXPECTED_RECORD}")
        if "message" not in envelope:
            raise CacheError(f"{path}: no 'message'; expected {_EXPECTED_RECORD}")
        problem = work_problem(envelope["message"])
        if problem:
            raise CacheError(
                f"{path}: 'message' is not a Crossref work ({problem}); expected {_EXPECTED_RECORD}"
            )
        return CachedRecord(envelope["message"], envelope["provenance"], path)

    # -- writing safely --------------------------------------------------------------------

    def prepare(self) -> None:
        """Make sure the folder exists and can be written to; else a CacheError saying why."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise CacheError(
                f"{self.folder}: is a file (or is under one); the Crossref cache must be a folder"
            ) from None
        except OSError as exc:
            raise CacheError(
                f"{self.folder}: cannot create the cache folder: {os_problem(exc)}"
            ) from None

    @contextmanager
    def locked(self, *, timeout: float, on_wait: Callable[[str], None] | None = None):
        """Hold the folder's lock, so that one fetch at a time writes to it.

        Waits up to ``timeout`` seconds for another fetch to finish (saying so through
        ``on_wait``), then gives up with a :class:`CacheError`.
        """
        self.prepare()
        path = self.folder / LOCK_NAME
        lock = FileLock(path)
        try:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                if on_wait:
                    on_wait(
                        f"another litkit fetch is writing to {self.folder}; waiting up to"
                        f" {timeout:g} s for it to finish (lock: {path})"
                    )
                lock.acquire(timeout=timeout)
        except Timeout:
            raise CacheError(
                f"{path}: another litkit fetch has held this lock for over"
                f" {timeout:g} s; try again when it has finished"
            ) from None
        except OSError as exc:
            raise CacheError(
                f"{self.folder}: cannot lock the cache folder: {os_problem(exc)}"
            ) from None
        try:
            yield self
        finally:
            lock.release()

    def remove_temporary_files(self) -> list[Path]:
        """Delete temporary files a killed run left behind (call it under :meth:`locked`)."""
        try:
            return remove_temporary_files(self.folder)
        except OSError as exc:
            raise CacheError(
                f"{self.folder}: cannot remove leftover temporary files: {os_problem(exc)}"
            ) from None

    def sync(self) -> None:
        """Make the records written since the last sync durable (one ``fsync`` on the folder)."""
        try:
            sync_folder(self.folder)
        except OSError as exc:
            raise CacheError(
                f"{self.folder}: cannot flush the cache folder: {os_problem(exc)}"
            ) from None

    @staticmethod
    def _write(path: Path, dump, *, durable: bool) -> Path:
        try:
            return atomic_write(path, dump, durable=durable)
        except OSError as exc:
            raise CacheError(_write_problem(path, exc)) from None


def _write_problem(path: Path, exc: OSError) -> str:
    return f"{path}: cannot write: {os_problem(exc)}; records written before are kept"


def encode_record(envelope: dict) -> bytes:
    r"""A cache file's bytes: compact, key-sorted UTF-8 JSON and a newline.

    Deterministic, and a fifth of the size of indented JSON. orjson writes exactly what
    ``json.dumps(..., ensure_ascii=False, separators=(",", ":"), sort_keys=True)`` does,
    seven times faster; the standard library takes over for what orjson refuses (integers
    beyond 64 bits).

    >>> encode_record({"message": {"title": ["Café"], "DOI": "10.1/x"}})
    b'{"message":{"DOI":"10.1/x","title":["Caf\xc3\xa9"]}}\n'
    """
    try:
        return orjson.dumps(envelope, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        text = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return (text + "\n").encode("utf-8")


# Below this many records one process reads them sooner than several.
READ_PARALLEL_FROM = 4000


def _read_named(
    folder: Path, named: list[tuple[str, str]], slim: bool
) -> Iterator[tuple[str, dict, dict]]:
    """``(doi, message, provenance)`` of each ``(doi, file name)``, messages cut if ``slim``."""
    for doi, name in named:
        path = folder / name
        if slim:
            try:
                kept = decode_slim(path.read_bytes())
            except OSError:
                kept = None  # the long way names the problem
            if kept is not None:
                yield doi, *kept
                continue
        cached = CrossrefCache._read_file(path)
        yield doi, slim_record(cached.message) if slim else cached.message, cached.provenance


def _read_chunk(
    folder: Path, named: list[tuple[str, str]], slim: bool
) -> list[tuple[str, dict, dict]]:
    """:func:`_read_named` in a worker process, whole."""
    return list(_read_named(folder, named, slim))


def _scandir(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return list(entries)


def _read_not_found(path: Path) -> dict[str, dict[str, str]]:
    """The not-found list at ``path``, or a CacheError saying what is wrong with it."""
    expected = (
        f"expected a CSV with the columns {','.join(NOT_FOUND_COLUMNS)}, as `litkit fetch` writes"
    )
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if list(header) != list(NOT_FOUND_COLUMNS):
                raise CacheError(
                    f"{path}: line 1: header is {','.join(header) or 'empty'}; {expected}"
                )
            rows = {}
            for row in reader:
                if None in row or None in row.values() or not row["doi"].strip():
                    raise CacheError(
                        f"{path}: line {reader.line_num}: not a row of"
                        f" {len(NOT_FOUND_COLUMNS)} values with a DOI; {expected}"
                    )
                rows[row["doi"]] = row
            return rows
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CacheError(f"{path}: not a readable CSV ({exc}); {expected}") from None
    except OSError as exc:
        raise CacheError(f"{path}: cannot read: {os_problem(exc)}") from None
