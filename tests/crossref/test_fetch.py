"""The fetch layer, through the real habanero code path, against a local Crossref server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from litkit.crossref.cache import CrossrefCache
from litkit.crossref.fetch import POLITE_POOL, PUBLIC_POOL, Fetcher, Limits
from litkit.testing.crossref_server import CrossrefServer

# Fast retries for tests: the backoff shape is the same, only shorter.
QUICK = dict(backoff=0.01, max_backoff=0.05)


@pytest.fixture
def journal_records(crossref_records):
    """Recorded journal articles (full records, not `select=` partial ones)."""
    return [r for r in crossref_records if r.get("type") == "journal-article"]


@pytest.fixture
def server(crossref_records):
    with CrossrefServer(crossref_records) as running:
        yield running


def _fetcher(tmp_path, server, **options) -> Fetcher:
    options = {**QUICK, "mailto": "tests@example.org", **options}
    return Fetcher(CrossrefCache(tmp_path / "cache"), base_url=server.url, **options)


def _dois(records, n, start=0):
    return [r["DOI"] for r in records[start:start + n]]


def test_batches_fetch_through_habanero_and_cache_the_records_unchanged(tmp_path, server, journal_records):
    dois = _dois(journal_records, 60)
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.ok and report.count("fetched") == 60
    assert server.stats.requests["list"] == 2  # 50 + 10
    assert server.stats.requests["single"] == 0
    cache = CrossrefCache(tmp_path / "cache")
    for record in journal_records[:60]:
        cached = cache.read(record["DOI"])
        assert cached.message == record
        assert cached.provenance["requested_doi"] == record["DOI"].lower()
        assert cached.provenance["api_message_version"] == "1.0.0"
    assert "mailto:tests@example.org" in server.stats.log[0].user_agent


def test_dois_a_batch_omits_are_asked_for_one_by_one(tmp_path, server, journal_records):
    dois = _dois(journal_records, 10)
    server.omit = dois[:3]
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.ok and report.count("fetched") == 10
    assert server.stats.requests["list"] == 1 and server.stats.requests["single"] == 3


def test_unknown_and_invalid_dois_are_named_while_the_others_are_fetched(tmp_path, server, journal_records):
    good = _dois(journal_records, 4)
    report = _fetcher(tmp_path, server).fetch([*good, "10.9999/does-not-exist", "not-a-doi", "10.12/3"])
    by_doi = {o.doi: o for o in report.outcomes}
    assert all(by_doi[d.lower()].status == "fetched" for d in good)
    assert by_doi["10.9999/does-not-exist"].status == "not-found"
    assert "404" in by_doi["10.9999/does-not-exist"].reason
    assert by_doi["not-a-doi"].status == "invalid" and by_doi["10.12/3"].status == "invalid"
    assert not report.ok
    assert not CrossrefCache(tmp_path / "cache").has("10.9999/does-not-exist")  # a 404 is not cached


@pytest.mark.parametrize("fault", ["429", "503", "500", "drop", "reset", "cut", "html200", "badjson"])
def test_faults_are_survived_on_both_routes(tmp_path, server, journal_records, fault):
    dois = _dois(journal_records, 6)
    server.omit = dois[:1]
    server.inject(fault, route="list", times=2)
    server.inject(fault, route="single", times=2)
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.ok, report.outcomes
    assert report.errors >= 4
    assert server.faults_pending == 0
    assert report.throttled == (4 if fault == "429" else 0)


def test_a_timeout_is_retried(tmp_path, crossref_records, journal_records):
    with CrossrefServer(crossref_records, slow_seconds=3) as server:
        server.inject("slow", route="list")
        report = _fetcher(tmp_path, server, timeout=0.5).fetch(_dois(journal_records, 3))
    assert report.ok and report.errors == 1


def test_a_doi_that_keeps_failing_is_reported_and_spoils_no_other(tmp_path, server, journal_records):
    dois = _dois(journal_records, 8)
    bad = dois[2]
    server.omit = [bad]
    server.inject("503", doi=bad, route="single", times=100)
    report = _fetcher(tmp_path, server, max_attempts=3).fetch(dois)
    by_doi = {o.doi: o for o in report.outcomes}
    assert by_doi[bad.lower()].status == "failed"
    assert "after 3 tries" in by_doi[bad.lower()].reason and "503" in by_doi[bad.lower()].reason
    assert report.count("fetched") == 7


def test_the_run_stops_when_errors_persist(tmp_path, server, journal_records):
    server.inject("503", times=10_000)
    report = _fetcher(tmp_path, server, batch_size=5, min_requests=20).fetch(_dois(journal_records, 100))
    assert report.stopped and "10%" in report.stopped
    assert report.count("failed") == 100
    # It stops soon after the error rate is judged, not after every retry of every DOI.
    assert server.stats.total <= 20 + 3 * POLITE_POOL.concurrency
    assert any("run stopped" in o.reason for o in report.outcomes)


def test_the_polite_limits_hold_and_no_429_is_seen(tmp_path, crossref_records, journal_records):
    with CrossrefServer(crossref_records, latency=0.02) as server:
        dois = _dois(journal_records, 60)
        server.omit = dois[:14]
        report = _fetcher(tmp_path, server, batch_size=10).fetch(dois)
        log = list(server.stats.log)
        assert report.ok
        assert server.stats.status_counts[429] == 0 and report.throttled == 0
        assert server.stats.max_in_flight <= POLITE_POOL.concurrency
    for route, limit in (("single", 10), ("list", 3)):
        times = sorted(entry.time for entry in log if entry.route == route)
        for i in range(len(times) - limit):
            assert times[i + limit] - times[i] >= 1.0 - 0.02, f"{route}: over {limit}/s"


def test_the_public_pool_is_used_without_a_contact_address(monkeypatch):
    monkeypatch.delenv("LITKIT_MAILTO", raising=False)
    assert Limits.for_pool(None) == PUBLIC_POOL
    assert Limits.for_pool("me@example.org") == POLITE_POOL
    fetcher = Fetcher(CrossrefCache("unused"), base_url="http://127.0.0.1:9")
    assert fetcher.limits == PUBLIC_POOL and fetcher.mailto is None


def test_retry_after_is_honoured(tmp_path, crossref_records, journal_records):
    with CrossrefServer(crossref_records, retry_after=1) as server:
        server.inject("429", route="list")
        start = time.monotonic()
        report = _fetcher(tmp_path, server).fetch(_dois(journal_records, 2))
        elapsed = time.monotonic() - start
    assert report.ok and report.throttled == 1
    assert elapsed >= 0.95


def test_cached_dois_are_not_requested_again_unless_refreshed(tmp_path, server, journal_records):
    dois = _dois(journal_records, 5)
    _fetcher(tmp_path, server).fetch(dois)
    server.reset_stats()
    again = _fetcher(tmp_path, server).fetch([d.upper() for d in dois])
    assert again.count("cached") == 5 and again.requests == 0 and server.stats.total == 0
    refreshed = _fetcher(tmp_path, server).fetch(dois, refresh=True)
    assert refreshed.count("fetched") == 5 and server.stats.total == 1


def test_a_failed_refresh_keeps_the_cached_record(tmp_path, server, journal_records):
    doi = journal_records[0]["DOI"]
    _fetcher(tmp_path, server).fetch([doi])
    server.inject("503", times=100)
    report = _fetcher(tmp_path, server, max_attempts=2).fetch([doi], refresh=True)
    assert report.count("failed") == 1
    assert CrossrefCache(tmp_path / "cache").read(doi).message == journal_records[0]


def test_offline_makes_no_request_and_names_what_is_not_cached(tmp_path, server, journal_records):
    dois = _dois(journal_records, 3)
    _fetcher(tmp_path, server).fetch(dois[:1])
    server.reset_stats()
    report = _fetcher(tmp_path, server).fetch(dois, offline=True)
    assert server.stats.total == 0
    assert [o.status for o in report.outcomes] == ["cached", "not-cached", "not-cached"]
    assert "offline" in report.outcomes[1].reason


def test_dois_differing_only_in_case_are_fetched_once(tmp_path, server, journal_records):
    doi = journal_records[0]["DOI"]
    report = _fetcher(tmp_path, server).fetch([doi.upper(), doi.lower(), f"https://doi.org/{doi}"])
    assert len(report.outcomes) == 1 and server.stats.total == 1
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1


def test_awkward_dois_stay_in_the_cache_folder_and_reach_the_server_intact(tmp_path, server, crossref_records):
    # A real record whose DOI has parentheses and a semicolon, asked for one by one.
    awkward = next(r for r in crossref_records if "(" in r["DOI"] or ";" in r["DOI"])
    server.omit = [awkward["DOI"]]
    report = _fetcher(tmp_path, server).fetch([awkward["DOI"], "10.5555/../../x"])
    assert [o.status for o in report.outcomes] == ["fetched", "not-found"]
    assert {e.route for e in server.stats.log} == {"list", "single", "agency"}
    assert sorted(p.parent for p in tmp_path.rglob("*.json")) == [tmp_path / "cache"]


def test_summary_line_counts_everything(tmp_path, server, journal_records):
    dois = _dois(journal_records, 3)
    _fetcher(tmp_path, server).fetch(dois[:1])
    report = _fetcher(tmp_path, server).fetch([*dois, "10.9999/nope", "junk"])
    assert report.summary() == (  # 1 list, 1 single for the unknown DOI, 1 agency look-up
        "fetched 2, already cached 1, not-found 1, invalid 1; 3 requests, 0 429s")


def test_a_doi_registered_elsewhere_is_told_apart_and_recorded_beside_the_cache(
        tmp_path, crossref_records, journal_records):
    with CrossrefServer(crossref_records, agencies={"10.5061/dryad.abc": "DataCite"}) as server:
        fetcher = _fetcher(tmp_path, server)
        report = fetcher.fetch(["10.5061/DRYAD.ABC", "10.9999/nobody", journal_records[0]["DOI"]])
    by_doi = {o.doi: o for o in report.outcomes}
    assert by_doi["10.5061/dryad.abc"].reason == "registered with DataCite, not Crossref"
    assert by_doi["10.5061/dryad.abc"].agency == "DataCite"
    assert by_doi["10.9999/nobody"].reason == "not found at Crossref (HTTP 404)"
    missing = fetcher.cache.not_found()
    assert set(missing) == {"10.5061/dryad.abc", "10.9999/nobody"}
    assert missing["10.5061/dryad.abc"]["agency"] == "DataCite"
    assert fetcher.cache.not_found_file.parent == tmp_path  # beside the cache, not in it
    assert not list((tmp_path / "cache").glob("*.csv"))


def test_a_doi_found_later_leaves_the_not_found_list(tmp_path, crossref_records, journal_records):
    doi = journal_records[0]["DOI"].lower()
    with CrossrefServer([r for r in crossref_records if r["DOI"].lower() != doi]) as server:
        _fetcher(tmp_path, server).fetch([doi])
    cache = CrossrefCache(tmp_path / "cache")
    assert doi in cache.not_found()
    with CrossrefServer(crossref_records) as server:
        _fetcher(tmp_path, server).fetch([doi])
    assert cache.not_found() == {}


def test_a_fetch_killed_mid_run_leaves_whole_files_and_a_rerun_resumes(tmp_path, crossref_records, journal_records):
    dois = _dois(journal_records, 120)
    doi_file = tmp_path / "dois.txt"
    doi_file.write_text("\n".join(dois))
    cache_dir = tmp_path / "cache"
    with CrossrefServer(crossref_records, latency=0.05, list_rate=None, single_rate=None) as server:
        command = [sys.executable, "-m", "litkit.cli", "fetch", "--from", str(doi_file),
                   "--cache", str(cache_dir), "--base-url", server.url, "--mailto", "t@example.org",
                   "--batch-size", "5", "--list-rate", "4", "--concurrency", "1"]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while len(list(cache_dir.glob("*.json"))) < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        written = list(cache_dir.glob("*.json"))
        assert 20 <= len(written) < 120, "killed mid-run"
        for path in written:  # every file is whole
            assert json.loads(path.read_text())["message"]["DOI"]
        server.reset_stats()
        report = _fetcher(tmp_path, server, batch_size=5).fetch(dois)
    assert report.ok
    assert report.count("cached") == len(written)
    assert server.stats.requests["list"] == -(-(120 - len(written)) // 5)
