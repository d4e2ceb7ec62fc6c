"""The on-disk cache of Crossref records: one JSON file per DOI.

Each file holds the Crossref work record exactly as the API returned it (``message``) and
where it came from (``provenance``: the DOI as requested, when it was fetched, the API's
message version, litkit's version). Files are written atomically, so a run killed at any
instant leaves only whole files, and a rerun carries on where it stopped.

File names are the lower-cased DOI with every character but ``[a-z0-9._-]`` percent-encoded,
so ``/`` can never make a path, DOIs that differ only in case share a file, and
``10.5555/../../x`` stays inside the folder.

>>> cache_filename("10.1016/S0140-6736(20)30183-5")
'10.1016%2Fs0140-6736%2820%2930183-5.json'
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from litkit import __version__
from litkit.errors import CacheError
from litkit.files import atomic_write

# Most file systems cap a name at 255 bytes; a longer DOI keeps a readable head and a hash.
_MAX_NAME = 200


def cache_filename(doi: str) -> str:
    """The file name that holds ``doi``: safe on any file system, one per DOI."""
    stem = quote(doi.strip().lower(), safe="._-")
    if len(stem) > _MAX_NAME:
        digest = hashlib.sha256(stem.encode()).hexdigest()[:16]
        stem = f"{stem[:_MAX_NAME - 17]}~{digest}"
    return f"{stem}.json"


def utc_now() -> str:
    """The current UTC time as ISO 8601 with a ``Z``, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class CachedRecord:
    """One cache file: the Crossref record and its provenance."""

    message: dict
    provenance: dict
    path: Path


NOT_FOUND_COLUMNS = ("doi", "agency", "reason", "checked_at")


class CrossrefCache:
    """A folder of cached Crossref records keyed by DOI.

    DOIs Crossref answered 404 for are never cached as records; they are listed beside the
    folder (``crossref-not-found.csv`` for ``crossref/``) so that an audit can say so.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    @property
    def not_found_file(self) -> Path:
        return self.folder.parent / f"{self.folder.name}-not-found.csv"

    def not_found(self) -> dict[str, dict[str, str]]:
        """The DOIs Crossref did not know at the last look, by DOI."""
        if not self.not_found_file.is_file():
            return {}
        with open(self.not_found_file, newline="", encoding="utf-8") as handle:
            return {row["doi"]: row for row in csv.DictReader(handle)}

    def note_lookups(self, not_found: dict[str, tuple[str | None, str]], fetched: set[str]) -> None:
        """Record DOIs found missing (doi → (agency, reason)); forget those fetched since."""
        rows = {d: r for d, r in self.not_found().items() if d not in fetched}
        for doi, (agency, reason) in not_found.items():
            rows[doi] = {"doi": doi, "agency": agency or "", "reason": reason,
                         "checked_at": utc_now()}
        if not rows and not self.not_found_file.exists():
            return
        def dump(out):
            writer = csv.DictWriter(out, fieldnames=NOT_FOUND_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows[d] for d in sorted(rows))

        atomic_write(self.not_found_file, dump)

    def path_for(self, doi: str) -> Path:
        """The file for ``doi``; always directly inside the cache folder."""
        return self.folder / cache_filename(doi)

    def has(self, doi: str) -> bool:
        """Whether a record for ``doi`` is cached (atomic writes: a file is always whole)."""
        return self.path_for(doi).is_file()

    def write(self, doi: str, message: dict, *, message_version: str | None, api_url: str,
              via: str) -> Path:
        """Store ``message`` for ``doi`` atomically: a temporary file, then a rename."""
        envelope = {
            "provenance": {
                "requested_doi": doi,
                "fetched_at": utc_now(),
                "api_url": api_url,
                "api_message_version": message_version,
                "request": via,
                "litkit_version": __version__,
            },
            "message": message,
        }
        def dump(out):
            json.dump(envelope, out, ensure_ascii=False, indent=1, sort_keys=True)
            out.write("\n")

        return atomic_write(self.path_for(doi), dump)

    def read(self, doi: str) -> CachedRecord:
        """The cached record for ``doi``; raises ``FileNotFoundError`` if there is none."""
        return self._read_file(self.path_for(doi))

    def records(self) -> Iterator[CachedRecord]:
        """Every cached record, in file-name order (temporary files are skipped)."""
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("*.json")):
            yield self._read_file(path)

    @staticmethod
    def _read_file(path: Path) -> CachedRecord:
        try:
            envelope = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CacheError(f"{path}: not a valid cache file ({exc})") from exc
        if not isinstance(envelope, dict) or not isinstance(envelope.get("message"), dict):
            raise CacheError(f"{path}: not a litkit cache file (no 'message' object)")
        return CachedRecord(envelope["message"], envelope.get("provenance", {}), path)
