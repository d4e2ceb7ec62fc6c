"""Take-away files: the works as BibTeX, RIS and CSL-JSON, and every table in one workbook.

``litkit export`` (also run by ``litkit report``) writes ``reports/exports/``. The works are
the cited and the best-evidence works, each once, described from its cached Crossref record
where there is one and from the citation as printed otherwise. Every file is deterministic:
the same tables and records give the same bytes (the workbook's dates and zip timestamps
are fixed), so a rerun changes no tracked file.

>>> split_name("Brinck ECV")
{'family': 'Brinck', 'given': 'E. C. V.'}
>>> split_name("Bell, Rae Frances")
{'family': 'Bell', 'given': 'Rae Frances'}
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path

import bibtexparser
import openpyxl
import pandas as pd
import rispy
from bibtexparser.model import Entry, Field
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from litkit.analysis.works import with_suffixes
from litkit.config import Paths
from litkit.crossref.cache import CrossrefCache
from litkit.files import atomic_write
from litkit.processed import TABLES, read_all
from litkit.report.views import DOI_URL
from litkit.schema import is_missing

# File name → what it holds, in the order the index lists them.
EXPORTS = {
    "works.bib": "the cited and best-evidence works as BibTeX",
    "works.ris": "the same works as RIS (EndNote, Zotero, Mendeley)",
    "works.json": "the same works as CSL-JSON (Zotero, Pandoc)",
    "tables.xlsx": "every processed table, one sheet each, with a README sheet of columns",
}
# Fixed workbook dates and zip timestamps: identical bytes on every run.
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ET_AL = re.compile(r"\bet al\.?(\s*\(.*\))?\s*$", re.IGNORECASE)

# Crossref's work types as CSL types; anything else is a plain article.
CSL_TYPES = {
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "book": "book",
    "proceedings-article": "paper-conference",
    "posted-content": "article",
    "report": "report",
    "dataset": "dataset",
    "monograph": "book",
}
BIBTEX_TYPES = {
    "article-journal": "article",
    "chapter": "incollection",
    "book": "book",
    "paper-conference": "inproceedings",
    "report": "techreport",
}
RIS_TYPES = {
    "article-journal": "JOUR",
    "chapter": "CHAP",
    "book": "BOOK",
    "paper-conference": "CPAPER",
    "report": "RPRT",
    "dataset": "DATA",
}


# --- names and keys ------------------------------------------------------------------------


def split_name(name: str) -> dict[str, str]:
    """A printed author as CSL ``family``/``given``: "Family, Given" or "Family INITIALS"."""
    name = name.strip()
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given}
    match = re.fullmatch(r"(.+?)\s+([A-Z]{1,4})", name)
    if match:
        return {"family": match.group(1), "given": " ".join(f"{c}." for c in match.group(2))}
    return {"literal": name}


def printed_authors(authors: object) -> tuple[list[dict[str, str]], bool]:
    """The authors of a printed citation, and whether it says "et al." (the list is cut)."""
    if is_missing(authors):
        return [], False
    names, cut = [], False
    for part in str(authors).split(";"):
        stripped = ET_AL.sub("", part).strip()
        cut = cut or stripped != part.strip()
        if stripped:
            names.append(split_name(stripped))
    return names, cut


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def citation_keys(items: list[dict]) -> list[str]:
    """``Family2018`` keys, with a/b suffixes where two works would share one."""
    base = []
    for item in items:
        first = (item.get("author") or [{}])[0]
        family = re.sub(
            r"[^A-Za-z]", "", _ascii(first.get("family") or first.get("literal") or "anon")
        )
        year = (item.get("issued") or {}).get("date-parts", [[None]])[0][0]
        base.append(f"{family or 'anon'}{year or 'nd'}")
    return with_suffixes(base)


# --- CSL-JSON: the one description every format is written from ----------------------------


def _from_record(record: Mapping) -> dict:
    """A CSL item from a Crossref record (a Crossref ``message``)."""

    def first(field: str) -> str | None:
        value = record.get(field)
        return (value[0] if value else None) if isinstance(value, list) else value

    authors = [
        {k: a[k] for k in ("family", "given", "literal") if a.get(k)}
        for a in record.get("author", [])
        if a.get("family") or a.get("literal")
    ]
    if not authors:
        authors = [{"literal": a["name"]} for a in record.get("author", []) if a.get("name")]
    parts = ((record.get("issued") or {}).get("date-parts") or [[None]])[0]
    return {
        "type": CSL_TYPES.get(record.get("type", ""), "article"),
        "title": first("title"),
        "container-title": first("container-title"),
        "author": authors,
        "issued": {"date-parts": [[p for p in parts if p is not None]]} if parts[0] else None,
        "volume": record.get("volume"),
        "issue": record.get("issue"),
        "page": record.get("page"),
        "publisher": record.get("publisher"),
        "source": "Crossref",
    }


def _from_print(work: Mapping) -> dict:
    """A CSL item from a works row that has no Crossref record: the fields as printed."""
    authors, _ = printed_authors(work.get("authors"))
    year = work.get("year")
    return {
        "type": "article-journal",
        "title": work.get("title"),
        "container-title": work.get("container_title"),
        "author": authors,
        "issued": None if is_missing(year) else {"date-parts": [[int(year)]]},
        "volume": work.get("volume"),
        "issue": work.get("issue"),
        "page": work.get("page"),
        "source": "the citation as printed (no Crossref record cached)",
    }


def csl_items(works: pd.DataFrame, records: Mapping[str, Mapping]) -> list[dict]:
    """The cited and best-evidence works as CSL-JSON items, each DOI once, in DOI order.

    Args:
        works: the ``works`` table (both roles).
        records: Crossref ``message`` by DOI, for the works whose record is cached.
    """
    rows = works[works["doi"].notna()].sort_values(["doi", "role"]).drop_duplicates("doi")
    items = []
    for work in rows.to_dict("records"):
        work = {k: (None if is_missing(v) else v) for k, v in work.items()}
        doi = work["doi"]
        item = _from_record(records[doi]) if doi in records else _from_print(work)
        _, cut = printed_authors(work.get("authors"))
        role = (
            "cited by article " + str(work["article_id"])
            if work["role"] == "cited"
            else "best available evidence (curated)"
        )
        item |= {"DOI": doi, "URL": DOI_URL + doi, "note": role, "_et_al": cut}
        items.append({k: v for k, v in item.items() if v not in (None, "", [])})
    for item, key in zip(items, citation_keys(items), strict=False):
        item["id"] = key
    return [{"id": i["id"], **{k: v for k, v in i.items() if k != "id"}} for i in items]


def _names(item: Mapping) -> list[str]:
    """Authors as "Family, Given" (or the literal name)."""
    return [
        a.get("literal") or ", ".join(p for p in (a.get("family"), a.get("given")) if p)
        for a in item.get("author", [])
    ]


def _year(item: Mapping) -> str | None:
    parts = (item.get("issued") or {}).get("date-parts", [[None]])[0]
    return str(parts[0]) if parts and parts[0] else None


def to_csl_json(items: list[dict]) -> str:
    """CSL-JSON text (the internal ``_et_al`` mark left out)."""
    clean = [{k: v for k, v in item.items() if not k.startswith("_")} for item in items]
    return json.dumps(clean, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def to_bibtex(items: list[dict]) -> str:
    """BibTeX text, written by bibtexparser."""
    library = bibtexparser.Library()
    for item in items:
        authors = " and ".join(_names(item)) + (" and others" if item.get("_et_al") else "")
        pages = re.sub(r"\s*[-–]+\s*", "--", item.get("page") or "")  # BibTeX ranges: "--"
        values = {
            "author": authors,
            "title": item.get("title"),
            "journal" if item["type"] == "article-journal" else "booktitle": item.get(
                "container-title"
            ),
            "year": _year(item),
            "volume": item.get("volume"),
            "number": item.get("issue"),
            "pages": pages,
            "publisher": item.get("publisher"),
            "doi": item["DOI"],
            "url": item["URL"],
            "note": item.get("note"),
        }
        fields = [Field(k, v) for k, v in values.items() if v]
        library.add(Entry(BIBTEX_TYPES.get(item["type"], "misc"), item["id"], fields))
    return bibtexparser.write_string(library)


class _PlainRisWriter(rispy.RisWriter):
    """RIS without the "1." line rispy writes before each reference by default."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(items: list[dict]) -> str:
    """RIS text, written by rispy."""
    references = []
    for item in items:
        start, _, end = (item.get("page") or "").replace("–", "-").partition("-")
        reference = {
            "type_of_reference": RIS_TYPES.get(item["type"], "GEN"),
            "id": item["id"],
            "authors": _names(item),
            "primary_title": item.get("title"),
            "secondary_title": item.get("container-title"),
            "year": _year(item),
            "volume": item.get("volume"),
            "number": item.get("issue"),
            "start_page": start,
            "end_page": end,
            "publisher": item.get("publisher"),
            "doi": item["DOI"],
            "urls": [item["URL"]],
            "notes": [item["note"]] if item.get("note") else [],
        }
        references.append({k: v for k, v in reference.items() if v})
    return rispy.dumps(references, implementation=_PlainRisWriter)


# --- the workbook --------------------------------------------------------------------------


def _cell(value: object) -> object:
    """A table cell as Excel holds it: empty for missing, plain Python otherwise."""
    if is_missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def workbook(tables: Mapping[str, pd.DataFrame]) -> openpyxl.Workbook:
    """Every table on its own sheet, after a README sheet listing each table's columns."""
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "README"
    readme.append(["table", "column", "type"])
    for name, spec in TABLES.items():
        for column, kind in spec.items():
            readme.append([name, column, kind])
    for name, frame in tables.items():
        sheet = book.create_sheet(name[:31])
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([_cell(v) for v in row])
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    book.properties.creator = "litkit"
    book.properties.created = book.properties.modified = FIXED_TIME
    return book


def workbook_bytes(book: openpyxl.Workbook) -> bytes:
    """The workbook as .xlsx bytes, the same bytes for the same content.

    openpyxl stamps the save time into the document properties and each zip entry; both
    are replaced with fixed values.
    """
    raw = io.BytesIO()
    # ExcelWriter, not save_workbook: the latter stamps "modified" with the current time.
    ExcelWriter(book, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """``data`` (a zip) rewritten with every entry's timestamp fixed, in the same order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


# --- writing -------------------------------------------------------------------------------


def cached_records(works: pd.DataFrame, cache_folder: Path) -> dict[str, dict]:
    """The cached Crossref record (its ``message``) of each work's DOI, where there is one."""
    dois = set(works["doi"].dropna())
    return {doi: message for doi, message, _ in CrossrefCache(cache_folder).read_many(dois)}


def write_exports(
    paths: Paths,
    *,
    folder: Path | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """Write every take-away file to ``folder`` (``reports/exports`` by default); return them.

    ``tables`` are the processed tables, when the caller has them already read."""
    tables = tables if tables is not None else read_all(paths=paths)
    items = csl_items(tables["works"], cached_records(tables["works"], paths.crossref_cache))
    folder = folder or paths.reports / "exports"
    texts = {
        "works.bib": to_bibtex(items),
        "works.ris": to_ris(items),
        "works.json": to_csl_json(items),
    }
    written = [
        atomic_write(folder / name, lambda out, t=text: out.write(t))
        for name, text in texts.items()
    ]
    data = workbook_bytes(workbook(tables))
    # The workbook is binary: write its bytes under the text handle atomic_write gives.
    written.append(atomic_write(folder / "tables.xlsx", lambda out: out.buffer.write(data)))
    return written
