"""Resolving cited works without a DOI, against local Crossref and NCBI servers."""

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from litkit.cli import main
from litkit.config import Paths
from litkit.crossref.api import CrossrefApi
from litkit.crossref.cache import CrossrefCache
from litkit.crossref.resolve import (
    METHODS,
    Resolver,
    Wanted,
    check_candidate,
    fill_resolved_dois,
    wanted,
    write_resolved,
)
from litkit.pipeline import build
from litkit.polite import Retry
from litkit.raw import CITATIONS, read_resolved
from litkit.testing.crossref_server import SHAPE_FAULTS, TRICKLE_FAULTS, CrossrefServer
from litkit.testing.idconv_server import IdConverterServer
from litkit.vocabulary import RESOLVE_METHODS

ARTICLES = json.loads((Path(__file__).parents[1] / "data/ncbi/idconv-articles.json").read_text())


@pytest.fixture
def servers(crossref_records):
    with CrossrefServer(crossref_records) as crossref, IdConverterServer(ARTICLES) as idconv:
        yield crossref, idconv


@pytest.fixture
def with_pii(crossref_records):
    return next(
        r
        for r in crossref_records
        if any(str(a).startswith("S") and len(str(a)) == 17 for a in r.get("alternative-id", []))
    )


@pytest.fixture
def article(crossref_records):
    """A recorded journal article with authors, a journal and a year."""
    return next(
        r
        for r in crossref_records
        if r.get("type") == "journal-article"
        and r.get("author", [{}])[0].get("family")
        and r.get("container-title")
        and r.get("issued", {}).get("date-parts", [[None]])[0][0]
    )


def printed(record, **changes) -> Wanted:
    year = str(record["issued"]["date-parts"][0][0])
    family = record["author"][0]["family"]
    values = (
        dict(
            identifier="A:1",
            query=f"{family}. {record['title'][0]}. {record['container-title'][0]}. {year}",
            year=year,
            first_author=family,
        )
        | changes
    )
    return Wanted("reference", **values)


def resolver(servers, tmp_path, attempts=5, **options) -> Resolver:
    crossref, idconv = servers
    return Resolver(
        cache=CrossrefCache(tmp_path / "crossref"),
        api=CrossrefApi(crossref.url, "test@example.org"),
        idconv_url=idconv.url,
        retry=Retry(attempts=attempts, backoff=0.01),
        **options,
    )


def by_key(rows):
    return {(r["type"], r["identifier"]): r for r in rows}


def test_each_kind_of_work_is_resolved_by_its_method(servers, tmp_path, with_pii, article):
    pii = with_pii["alternative-id"][0]
    rows = by_key(
        resolver(servers, tmp_path).resolve(
            [
                Wanted("pii", pii),
                Wanted("pmid", "90000001"),
                Wanted("pmcid", "PMC9000004"),
                printed(article),
            ]
        )
    )
    assert rows[("pii", pii)] | {"checked_at": ""} == {
        "type": "pii",
        "identifier": pii,
        "doi": with_pii["DOI"].lower(),
        "method": "crossref-alternative-id",
        "score": "",
        "checked_at": "",
        "status": "resolved",
        "reason": "Crossref alternative-id",
    }
    assert rows[("pmid", "90000001")]["doi"] == "10.5555/litkit.test.1"
    assert rows[("pmcid", "PMC9000004")]["method"] == "ncbi-idconv"
    reference = rows[("reference", "A:1")]
    assert (reference["doi"], reference["status"]) == (article["DOI"].lower(), "resolved")
    assert float(reference["score"]) >= 50 and reference["checked_at"].endswith("Z")
    cache = CrossrefCache(tmp_path / "crossref")
    assert cache.has(with_pii["DOI"]) and cache.has(article["DOI"])
    assert cache.read(article["DOI"]).provenance["request"] == "bibliographic"


def test_what_is_not_there_is_not_found_with_the_reason(servers, tmp_path, article):
    rows = by_key(
        resolver(servers, tmp_path).resolve(
            [
                Wanted("pii", "S0000000000000000"),
                Wanted("pmid", "12345"),
                Wanted("pmid", "90000003"),
                printed(article, identifier="A:2", year="1901"),
            ]
        )
    )
    assert rows[("pii", "S0000000000000000")]["reason"] == "Crossref alternative-id: no work"
    assert rows[("pmid", "12345")]["reason"] == "NCBI ID converter: Identifier not found in PMC"
    assert rows[("pmid", "90000003")]["reason"] == "NCBI ID converter: no DOI in PMC's record"
    near_miss = rows[("reference", "A:2")]
    assert near_miss["status"] == "not-found" and near_miss["doi"] == ""
    assert (
        f"{article['DOI'].lower()}: year" in near_miss["reason"]
        and "printed 1901" in near_miss["reason"]
    )


def test_a_printed_reference_without_year_or_author_is_not_guessed(servers, tmp_path, article):
    [row] = resolver(servers, tmp_path).resolve([printed(article, year="", first_author="")])
    assert row["status"] == "unresolved" and "no year or first author" in row["reason"]
    assert servers[0].stats.total == 0


def test_offline_nothing_is_asked_and_every_work_says_so(servers, tmp_path):
    rows = resolver(servers, tmp_path).resolve([Wanted("pmid", "90000001")], offline=True)
    assert [(r["status"], r["reason"][:8]) for r in rows] == [("unresolved", "offline:")]
    assert servers[0].stats.total == 0 and servers[1].requests == []


def test_failures_that_persist_are_failed_not_lost(servers, tmp_path, with_pii):
    crossref, idconv = servers
    crossref.inject("503", times=20)
    idconv.inject("503", times=20)
    rows = by_key(
        resolver(servers, tmp_path, attempts=2).resolve(
            [Wanted("pii", with_pii["alternative-id"][0]), Wanted("pmid", "90000001")]
        )
    )
    assert {r["status"] for r in rows.values()} == {"failed"}
    assert rows[("pmid", "90000001")]["reason"].startswith("NCBI ID converter: HTTP 503")
    assert rows[("pii", with_pii["alternative-id"][0])]["reason"] == "Crossref: HTTP 503"


def test_a_rerun_keeps_what_was_found_and_retries_what_failed(servers, tmp_path):
    crossref, idconv = servers
    first = resolver(servers, tmp_path).resolve(
        [Wanted("pmid", "90000001"), Wanted("pmid", "12345")]
    )
    path = write_resolved(tmp_path / "resolved.csv", first)
    failed = pd.DataFrame(
        [{**r, "status": "failed"} if r["identifier"] == "12345" else r for r in first],
        dtype="string",
    )
    asked = len(idconv.requests)
    again = by_key(
        resolver(servers, tmp_path).resolve(
            [Wanted("pmid", "90000001"), Wanted("pmid", "12345")], previous=failed
        )
    )
    assert idconv.requests[-1]["ids"] == ["12345"] and len(idconv.requests) == asked + 1
    assert again[("pmid", "90000001")] == by_key(first)[("pmid", "90000001")]
    assert read_resolved(path)["status"].tolist() == ["not-found", "resolved"]


def test_a_candidate_is_checked_by_score_year_and_first_author():
    record = {"score": 80, "issued": {"date-parts": [[2020]]}, "author": [{"family": "Smith"}]}
    want = Wanted("reference", "A:1", "q", "2020", "Smith")
    assert check_candidate(record, want, min_score=50) == ""
    assert check_candidate(record, want, min_score=90) == "score 80 under 90"
    assert (
        check_candidate(record, Wanted("reference", "A:1", "q", "2020", "Jones"), min_score=50)
        == "first author Smith, printed Jones"
    )


def test_every_method_is_in_the_vocabulary():
    assert set(METHODS.values()) == set(RESOLVE_METHODS)


def citations_table(*rows) -> pd.DataFrame:
    return pd.DataFrame([{c: "" for c in CITATIONS.names} | r for r in rows], dtype="string")


def test_wanted_lists_works_without_a_doi_once_each():
    table = citations_table(
        {"article_id": "A", "ref_no": "1", "type": "pmid", "identifier": "1"},
        {"article_id": "A", "ref_no": "2", "type": "doi", "identifier": "10.1/x", "doi": "10.1/x"},
        {"article_id": "B", "ref_no": "1", "type": "pmid", "identifier": "1"},
        {"article_id": "B", "ref_no": "2", "type": "isbn", "identifier": "9780306406157"},
        {
            "article_id": "B",
            "ref_no": "3",
            "type": "reference",
            "authors": "Smith, J",
            "title": "A title",
            "year": "2020",
        },
    )
    assert wanted(table) == [
        Wanted("pmid", "1"),
        Wanted("reference", "B:3", "Smith, J A title 2020", "2020", "Smith"),
    ]


def test_resolved_dois_fill_only_empty_cells():
    table = citations_table(
        {"article_id": "A", "ref_no": "1", "type": "pmid", "identifier": "1"},
        {"article_id": "A", "ref_no": "2", "type": "reference", "title": "T"},
        {"article_id": "A", "ref_no": "3", "type": "pmid", "identifier": "2", "doi": "10.1/kept"},
    )
    resolved = pd.DataFrame(
        {
            "type": ["pmid", "reference", "pmid"],
            "identifier": ["1", "A:2", "2"],
            "doi": ["10.1/a", "10.1/b", "10.1/other"],
            "status": ["resolved", "resolved", "resolved"],
        },
        dtype="string",
    )
    assert fill_resolved_dois(table, resolved)["doi"].tolist() == ["10.1/a", "10.1/b", "10.1/kept"]


def test_resolve_command_writes_resolved_csv_and_build_joins_by_it(
    scratch_project, servers, capsys
):
    crossref, idconv = servers
    text = (scratch_project / "data/raw/articles/B-clinic-blog.txt").read_text(encoding="utf-8")
    offset = text.index("Neuropathic Pain:")
    path = scratch_project / "data/raw/citations.csv"
    row = {c: "" for c in CITATIONS.names} | {
        "article_id": "B",
        "ref_no": "1",
        "type": "pmid",
        "identifier": "90000001",
        "url": "https://pubmed.ncbi.nlm.nih.gov/90000001/",
        "anchor_text": "Neuropathic Pain",
        "offset": str(offset),
        "status": "draft",
    }
    path.write_text(
        path.read_text(encoding="utf-8") + ",".join(row[c] for c in CITATIONS.names) + "\n",
        encoding="utf-8",
    )
    assert main(["resolve", "--root", str(scratch_project), "--offline"]) == 1
    assert "pmid 90000001: unresolved: offline" in capsys.readouterr().err
    assert (
        main(
            [
                "resolve",
                "--root",
                str(scratch_project),
                "--base-url",
                crossref.url,
                "--idconv-url",
                idconv.url,
                "--mailto",
                "t@example.org",
            ]
        )
        == 0
    )
    assert "resolved 1" in capsys.readouterr().out
    works = pd.read_csv(build(Paths(scratch_project))["works"])
    assert works.query("article_id == 'B'")["doi"].tolist() == ["10.5555/litkit.test.1"]


# -- asking Crossref as the fetcher does ---------------------------------------------------------


def _cached(tmp_path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "crossref").glob("*.json"))


@pytest.mark.parametrize("retry_after", ["1200", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_a_retry_after_over_the_cap_fails_at_once_and_stops_asking_crossref(
    servers, tmp_path, with_pii, article, retry_after
):
    crossref, _ = servers
    crossref.inject("429", route="list", retry_after=retry_after)
    pii = with_pii["alternative-id"][0]
    start = time.monotonic()
    rows = by_key(resolver(servers, tmp_path).resolve([Wanted("pii", pii), printed(article)]))
    assert time.monotonic() - start < 2
    assert crossref.stats.total == 1
    first, second = rows[("pii", pii)], rows[("reference", "A:1")]
    assert first["status"] == second["status"] == "failed"
    assert first["reason"].startswith("Crossref: HTTP 429: server asked to wait")
    assert first["reason"].endswith("s, over the 120 s cap")
    if retry_after == "1200":
        assert "wait 1200 s" in first["reason"]
    assert (
        second["reason"] == f"Crossref: run stopped ({first['reason'].removeprefix('Crossref: ')})"
    )


def test_a_retry_after_within_the_cap_is_waited_for(crossref_records, tmp_path, with_pii):
    with (
        CrossrefServer(crossref_records, retry_after=1) as crossref,
        IdConverterServer(ARTICLES) as idconv,
    ):
        crossref.inject("429", route="list")
        start = time.monotonic()
        [row] = resolver((crossref, idconv), tmp_path).resolve(
            [Wanted("pii", with_pii["alternative-id"][0])]
        )
        elapsed = time.monotonic() - start
    assert row["status"] == "resolved" and elapsed >= 0.95


@pytest.mark.parametrize("fault", ["slow", *sorted(TRICKLE_FAULTS)])
def test_a_server_that_never_finishes_answering_fails_the_request_at_its_deadline(
    crossref_records, tmp_path, with_pii, fault
):
    # No cap on requests in flight: the abandoned requests go on until the resolver ends.
    with (
        CrossrefServer(
            crossref_records, slow_seconds=30, trickle_seconds=0.05, max_concurrent=None
        ) as crossref,
        IdConverterServer(ARTICLES) as idconv,
    ):
        crossref.inject(fault, times=100)
        start = time.monotonic()
        [row] = resolver((crossref, idconv), tmp_path, attempts=2, request_deadline=0.4).resolve(
            [Wanted("pii", with_pii["alternative-id"][0])]
        )
        elapsed = time.monotonic() - start
    assert elapsed < 3  # two tries of 0.4 s, and their backoff
    assert row["status"] == "failed"
    assert row["reason"] == "Crossref: timed out (no complete answer within 0.4 s)"
    assert _cached(tmp_path) == []


@pytest.mark.parametrize("fault", sorted(SHAPE_FAULTS))
def test_an_answer_of_the_wrong_shape_fails_its_work_and_is_never_cached(
    servers, tmp_path, with_pii, article, fault
):
    crossref, _ = servers
    crossref.inject(fault, route="list", times=100)
    pii = with_pii["alternative-id"][0]
    rows = resolver(servers, tmp_path, attempts=2).resolve([Wanted("pii", pii), printed(article)])
    assert [r["status"] for r in rows] == ["failed", "failed"]
    for row in rows:
        assert row["reason"].startswith(
            ("Crossref: a ", "Crossref alternative-id: item 1", "Crossref bibliographic: item 1")
        )
    assert _cached(tmp_path) == []


def test_an_item_that_is_not_a_work_is_not_cached_and_spoils_no_other_work(
    crossref_records, tmp_path, article
):
    # A record whose volume is a number: not a Crossref work, so it may never be cached.
    # One copy is all an alternative-id finds; the other ranks first for the reference.
    bad_pii = dict(article, DOI="10.9999/bad-pii", volume=12, **{"alternative-id": ["SBAD"]})
    bad_copy = dict(article, DOI="10.9999/bad-copy", volume=12)
    with (
        CrossrefServer([bad_pii, bad_copy, *crossref_records]) as crossref,
        IdConverterServer(ARTICLES) as idconv,
    ):
        rows = by_key(
            resolver((crossref, idconv), tmp_path).resolve(
                [Wanted("pii", "SBAD"), printed(article), Wanted("pmid", "90000001")]
            )
        )
    assert rows[("pii", "SBAD")]["status"] == "failed"  # asked again on the next run
    assert rows[("pii", "SBAD")]["reason"] == (
        "Crossref alternative-id: item 1 is not a work record ('volume' is a number, not a string)"
    )
    assert rows[("reference", "A:1")]["status"] == "resolved"
    assert rows[("reference", "A:1")]["doi"] == article["DOI"].lower()
    assert rows[("pmid", "90000001")]["status"] == "resolved"
    assert _cached(tmp_path) == [CrossrefCache(tmp_path / "crossref").path_for(article["DOI"]).name]


def test_requests_share_a_kept_alive_connection_and_habanero_is_left_as_it_was(
    servers, tmp_path, with_pii, article
):
    import habanero.request
    import habanero.request_class
    import httpx2

    crossref, _ = servers
    pii = with_pii["alternative-id"][0]
    rows = resolver(servers, tmp_path).resolve(
        [Wanted("pii", pii), printed(article), printed(article, identifier="A:2")]
    )
    assert {r["status"] for r in rows} == {"resolved"}
    assert crossref.stats.total == 3 and crossref.stats.connections == 1
    assert habanero.request.httpx2 is habanero.request_class.httpx2 is httpx2
