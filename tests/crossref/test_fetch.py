"""The fetch layer, through the real habanero code path, against a local Crossref server."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest

from litkit.crossref.api import POLITE_POOL, PUBLIC_POOL, CrossrefApi, Limits
from litkit.crossref.cache import CrossrefCache, public_url
from litkit.crossref.fetch import MAX_URL_BYTES, Fetcher, plan_batches
from litkit.errors import CacheError, FetchError
from litkit.polite import Retry
from litkit.testing.crossref_server import SHAPE_FAULTS, TRICKLE_FAULTS, CrossrefServer

# Fast retries for tests: the backoff shape is the same, only shorter.
QUICK = Retry(attempts=6, backoff=0.01, max_backoff=0.05)
# For tests of what a run does, not of its pace: a server without limits, paced ten times
# faster than the polite pool, so that each takes a second, not ten.
UNPACED = Limits(single_per_second=100, list_per_second=30, concurrency=3)


@pytest.fixture
def journal_records(crossref_records):
    """Recorded journal articles (full records, not `select=` partial ones)."""
    return [r for r in crossref_records if r.get("type") == "journal-article"]


@pytest.fixture
def server(crossref_records):
    with CrossrefServer(crossref_records) as running:
        yield running


def _fetcher(tmp_path, server, *, base_url=None, attempts=None, **options) -> Fetcher:
    api = CrossrefApi(base_url or server.url, "tests@example.org")
    retry = replace(QUICK, attempts=attempts or QUICK.attempts)
    return Fetcher(CrossrefCache(tmp_path / "cache"), api=api, retry=retry, **options)


def _dois(records, n, start=0):
    return [r["DOI"] for r in records[start : start + n]]


def test_batches_fetch_through_habanero_and_cache_the_records_unchanged(
    tmp_path, server, journal_records
):
    dois = _dois(journal_records, 60)
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.ok and report.count("fetched") == 60
    assert server.stats.requests["list"] == 1  # 60 DOIs fit in one URL
    assert server.stats.requests["single"] == 0
    cache = CrossrefCache(tmp_path / "cache")
    for record in journal_records[:60]:
        cached = cache.read(record["DOI"])
        assert cached.message == record
        assert cached.provenance["requested_doi"] == record["DOI"].lower()
        assert cached.provenance["record_doi"] == record["DOI"].lower()
        assert "alias_of" not in cached.provenance
        assert cached.provenance["api_message_version"] == "1.0.0"
    assert "mailto:tests@example.org" in server.stats.log[0].user_agent


def test_dois_a_batch_omits_are_asked_for_one_by_one(tmp_path, server, journal_records):
    dois = _dois(journal_records, 10)
    server.omit = dois[:3]
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.ok and report.count("fetched") == 10
    assert server.stats.requests["list"] == 1 and server.stats.requests["single"] == 3


def test_unknown_and_invalid_dois_are_named_while_the_others_are_fetched(
    tmp_path, server, journal_records
):
    good = _dois(journal_records, 4)
    report = _fetcher(tmp_path, server).fetch(
        [*good, "10.9999/does-not-exist", "not-a-doi", "10.12/3"]
    )
    by_doi = {o.doi: o for o in report.outcomes}
    assert all(by_doi[d.lower()].status == "fetched" for d in good)
    assert by_doi["10.9999/does-not-exist"].status == "not-found"
    assert "404" in by_doi["10.9999/does-not-exist"].reason
    assert by_doi["not-a-doi"].status == "invalid" and by_doi["10.12/3"].status == "invalid"
    assert not report.ok
    assert not CrossrefCache(tmp_path / "cache").has(
        "10.9999/does-not-exist"
    )  # a 404 is not cached


@pytest.mark.parametrize(
    "fault", ["429", "503", "500", "drop", "reset", "cut", "html200", "badjson"]
)
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


def test_a_doi_that_keeps_failing_is_reported_and_spoils_no_other(
    tmp_path, server, journal_records
):
    dois = _dois(journal_records, 8)
    bad = dois[2]
    server.omit = [bad]
    server.inject("503", doi=bad, route="single", times=100)
    report = _fetcher(tmp_path, server, attempts=3).fetch(dois)
    by_doi = {o.doi: o for o in report.outcomes}
    assert by_doi[bad.lower()].status == "failed"
    assert "after 3 tries" in by_doi[bad.lower()].reason and "503" in by_doi[bad.lower()].reason
    assert report.count("fetched") == 7


def test_the_run_stops_when_errors_persist(tmp_path, crossref_records, journal_records):
    with CrossrefServer(crossref_records, list_rate=None, single_rate=None) as server:
        server.inject("503", times=10_000)
        report = _fetcher(tmp_path, server, batch_size=5, min_requests=20, limits=UNPACED).fetch(
            _dois(journal_records, 100)
        )
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
    fetcher = Fetcher(CrossrefCache("unused"), api=CrossrefApi.configured("http://127.0.0.1:9"))
    assert fetcher.limits == PUBLIC_POOL and fetcher.api.mailto is None


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
    report = _fetcher(tmp_path, server, attempts=2).fetch([doi], refresh=True)
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


def test_awkward_dois_stay_in_the_cache_folder_and_reach_the_server_intact(
    tmp_path, server, crossref_records
):
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
        "fetched 2, already cached 1, not-found 1, invalid 1; 3 requests, 0 429s"
    )


def test_a_doi_registered_elsewhere_is_told_apart_and_recorded_in_the_cache_folder(
    tmp_path, crossref_records, journal_records
):
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
    assert fetcher.cache.not_found_file == tmp_path / "cache" / "not-found.csv"
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]  # nothing written beside it


def test_a_doi_found_later_leaves_the_not_found_list(tmp_path, crossref_records, journal_records):
    doi = journal_records[0]["DOI"].lower()
    with CrossrefServer([r for r in crossref_records if r["DOI"].lower() != doi]) as server:
        _fetcher(tmp_path, server).fetch([doi])
    cache = CrossrefCache(tmp_path / "cache")
    assert doi in cache.not_found()
    with CrossrefServer(crossref_records) as server:
        _fetcher(tmp_path, server).fetch([doi])
    assert cache.not_found() == {}


def test_a_fetch_killed_mid_run_leaves_whole_files_and_a_rerun_resumes(
    tmp_path, crossref_records, journal_records
):
    dois = _dois(journal_records, 120)
    doi_file = tmp_path / "dois.txt"
    doi_file.write_text("\n".join(dois))
    cache_dir = tmp_path / "cache"
    with CrossrefServer(crossref_records, latency=0.05, list_rate=None, single_rate=None) as server:
        command = [
            sys.executable,
            "-m",
            "litkit.cli",
            "fetch",
            "--from",
            str(doi_file),
            "--cache",
            str(cache_dir),
            "--base-url",
            server.url,
            "--mailto",
            "t@example.org",
            "--batch-size",
            "5",
            "--list-rate",
            "4",
            "--concurrency",
            "1",
        ]
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
        report = _fetcher(tmp_path, server, batch_size=5, limits=UNPACED).fetch(dois)
    assert report.ok
    assert report.count("cached") == len(written)
    assert server.stats.requests["list"] == -(-(120 - len(written)) // 5)


def test_the_folder_is_synced_once_for_the_dois_asked_for_one_by_one(
    tmp_path, server, journal_records, monkeypatch
):
    import litkit.crossref.cache

    dois = _dois(journal_records, 8)
    server.omit = dois[:5]
    real_sync = litkit.crossref.cache.sync_folder
    synced: list[int] = []  # the records in the folder at each sync

    def counting(folder):
        synced.append(len(list(folder.glob("*.json"))))
        real_sync(folder)

    monkeypatch.setattr(litkit.crossref.cache, "sync_folder", counting)
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.ok and server.stats.requests["single"] == 5
    # One sync for the list request's 3 records, one for the 5 asked for alone, each after
    # its records were written and before the run reported them.
    assert synced == [3, 8]


# -- nothing wrong cached ------------------------------------------------------------------


def _cached_files(tmp_path):
    return sorted(p.name for p in (tmp_path / "cache").glob("*.json"))


@pytest.mark.parametrize("fault", sorted(SHAPE_FAULTS))
def test_an_answer_that_is_not_a_work_record_fails_its_doi_and_is_never_cached(
    tmp_path, server, journal_records, fault
):
    dois = _dois(journal_records, 3)
    server.inject(fault, times=100)
    report = _fetcher(tmp_path, server, attempts=2).fetch(dois)
    assert [o.status for o in report.outcomes] == ["failed"] * 3
    reasons = {o.reason for o in report.outcomes}
    assert all(r.startswith("failed after 2 tries: a 200 answer") for r in reasons), reasons
    assert _cached_files(tmp_path) == []


def test_list_items_that_are_not_work_records_are_skipped_and_asked_for_alone(
    tmp_path, server, journal_records
):
    dois = _dois(journal_records, 4)
    server.inject("bad-items", route="list")
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.ok and server.stats.requests["single"] == 4
    server.reset_stats()
    more = _dois(journal_records, 4, start=4)
    server.inject("items-without-doi", route="list")
    assert _fetcher(tmp_path, server).fetch(more).ok
    assert server.stats.requests["single"] == 4


def test_a_refresh_answered_with_empty_messages_keeps_every_cached_record(
    tmp_path, server, journal_records
):
    dois = _dois(journal_records, 7)
    _fetcher(tmp_path, server).fetch(dois)
    before = {p.name: p.read_bytes() for p in (tmp_path / "cache").glob("*.json")}
    server.inject("empty-message", times=1000)
    report = _fetcher(tmp_path, server, attempts=2).fetch(dois, refresh=True)
    assert report.count("failed") == 7
    assert {p.name: p.read_bytes() for p in (tmp_path / "cache").glob("*.json")} == before


def test_a_refresh_never_replaces_a_record_with_a_worse_one(
    tmp_path, crossref_records, journal_records
):
    full = journal_records[0]
    doi = full["DOI"].lower()
    cache = CrossrefCache(tmp_path / "cache")
    with CrossrefServer([full]) as server:
        _fetcher(tmp_path, server).fetch([doi])
    partial = {"DOI": full["DOI"], "title": full["title"]}  # what a select= answer holds
    with CrossrefServer([partial]) as server:
        report = _fetcher(tmp_path, server).fetch([doi], refresh=True)
    assert report.ok and report.outcomes[0].status == "cached"
    assert report.outcomes[0].reason.startswith("kept the cached record: the new answer lacks type")
    assert cache.read(doi).message == full
    corrected = dict(full, title=["A corrected title"], **{"updated-by": [{"type": "correction"}]})
    with CrossrefServer([corrected]) as server:
        report = _fetcher(tmp_path, server).fetch([doi], refresh=True)
    assert report.outcomes[0].status == "fetched"  # changed values are not worse
    assert cache.read(doi).message == corrected


def test_a_refresh_replaces_an_unreadable_cached_record(tmp_path, server, journal_records):
    doi = journal_records[0]["DOI"].lower()
    cache = CrossrefCache(tmp_path / "cache")
    cache.folder.mkdir()
    cache.path_for(doi).write_text('{"provenance": {}, "message": {}}')
    report = _fetcher(tmp_path, server).fetch([doi], refresh=True)
    assert report.outcomes[0].status == "fetched"
    assert report.outcomes[0].reason == "replaced an unreadable cached record"
    assert cache.read(doi).message == journal_records[0]


def test_a_record_registered_under_another_doi_is_cached_as_an_alias(
    tmp_path, crossref_records, journal_records
):
    primary = journal_records[0]
    with CrossrefServer(crossref_records, aliases={"10.9999/alias": primary["DOI"]}) as server:
        report = _fetcher(tmp_path, server).fetch(["10.9999/ALIAS"])
    outcome = report.outcomes[0]
    assert outcome.status == "fetched"
    assert f"answers with the record of {primary['DOI'].lower()}" in outcome.reason
    cached = CrossrefCache(tmp_path / "cache").read("10.9999/alias")
    assert cached.message == primary
    assert cached.provenance["requested_doi"] == "10.9999/alias"
    assert (
        cached.provenance["record_doi"] == cached.provenance["alias_of"] == primary["DOI"].lower()
    )


def test_provenance_keeps_no_credentials_from_the_base_url(tmp_path, server, journal_records):
    url = server.url.replace("http://", "http://reader:s3cret@")
    _fetcher(tmp_path, server, base_url=url).fetch(_dois(journal_records, 2))
    for path in (tmp_path / "cache").glob("*.json"):
        text = path.read_text()
        assert "s3cret" not in text and "reader" not in text
        assert json.loads(text)["provenance"]["api_url"] == server.url


def test_public_url_drops_credentials_query_and_fragment():
    assert public_url("https://u:p@api.example.org:8443/v1?mailto=me@x.org&token=t#f") == (
        "https://api.example.org:8443/v1"
    )


# -- bounded time --------------------------------------------------------------------------


@pytest.mark.parametrize("fault", sorted(TRICKLE_FAULTS))
def test_a_server_that_trickles_its_answer_fails_the_request_in_bounded_time(
    tmp_path, crossref_records, journal_records, fault
):
    # No cap on requests in flight: the abandoned requests trickle on until the run ends.
    with CrossrefServer(crossref_records, trickle_seconds=0.05, max_concurrent=None) as server:
        server.inject(fault, times=100)
        start = time.monotonic()
        report = _fetcher(tmp_path, server, deadline=0.4, timeout=0.3, attempts=2).fetch(
            _dois(journal_records, 2)
        )
        elapsed = time.monotonic() - start
    assert elapsed < 4  # two list and two single requests of 0.4 s, at most
    assert [o.status for o in report.outcomes] == ["failed", "failed"]
    assert report.outcomes[0].reason == (
        "failed after 2 tries: timed out (no complete answer within 0.4 s)"
    )
    assert _cached_files(tmp_path) == []


@pytest.mark.parametrize("retry_after", ["1200", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_a_retry_after_over_the_cap_fails_at_once_and_stops_the_run(
    tmp_path, server, journal_records, retry_after
):
    server.inject("429", route="list", retry_after=retry_after)
    start = time.monotonic()
    report = _fetcher(tmp_path, server).fetch(_dois(journal_records, 5))
    assert time.monotonic() - start < 2
    assert report.count("failed") == 5 and server.stats.total == 1
    reason = report.outcomes[0].reason
    assert reason.startswith("failed: HTTP 429: server asked to wait")
    assert reason.endswith("s, over the 120 s cap")
    if retry_after == "1200":
        assert "wait 1200 s" in reason
    assert report.stopped == reason.removeprefix("failed: ")


def test_no_network_is_a_fetch_error_after_a_few_quick_tries(tmp_path, journal_records):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fetcher = Fetcher(
        CrossrefCache(tmp_path / "cache"),
        api=CrossrefApi(f"http://u:p@127.0.0.1:{port}", "t@example.org"),
        retry=QUICK,
    )
    with pytest.raises(
        FetchError,
        match=rf"^cannot reach http://127.0.0.1:{port}: check the"
        r" network, or use --offline$",
    ):
        fetcher.fetch(_dois(journal_records, 400))


def test_connection_failures_after_the_server_answered_are_ordinary_failures(
    tmp_path, server, journal_records
):
    dois = _dois(journal_records, 3)
    server.omit = dois[2:]
    server.inject("reset", route="single", times=100)
    report = _fetcher(tmp_path, server, attempts=2).fetch(dois)
    assert report.count("fetched") == 2 and report.count("failed") == 1


# -- speed ---------------------------------------------------------------------------------


def test_list_requests_are_as_long_as_the_url_allows_and_no_longer(
    tmp_path, server, crossref_records
):
    dois = [r["DOI"] for r in crossref_records]
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.ok
    lists = [e.path for e in server.stats.log if e.route == "list"]
    lengths = [len(server.url + path) for path in lists]
    assert max(lengths) <= MAX_URL_BYTES
    assert sorted(lengths)[1] > MAX_URL_BYTES - 100  # every batch but the last fills the URL
    assert len(lists) == len(plan_batches([d.lower() for d in dois], base_url=server.url)) <= 6


def test_requests_share_kept_alive_connections_and_habanero_is_left_as_it_was(
    tmp_path, server, crossref_records
):
    import habanero.request
    import habanero.request_class

    dois = [r["DOI"] for r in crossref_records]
    server.omit = dois[:10]
    assert _fetcher(tmp_path, server).fetch(dois).ok
    assert server.stats.total == 15  # 5 list requests, 10 single ones
    assert server.stats.connections <= POLITE_POOL.concurrency
    assert habanero.request.httpx2 is habanero.request_class.httpx2 is httpx2


def test_batch_plans_measure_the_url_habanero_sends():
    dois = [f"10.1002/(SICI)1097-4636(1997){i}:4<419::AID>3.0.CO;2-{i}" for i in range(400)]
    dois += ["10.1000/with,comma"]
    batches = plan_batches(dois, base_url="https://api.crossref.org", max_url_bytes=2000)
    assert sum(len(b) for b in batches) == 400  # the DOI with a comma goes alone
    for batch in batches:
        url = httpx2.URL(
            "https://api.crossref.org/works",
            params={"filter": ",".join(f"doi:{d}" for d in batch), "rows": "1000"},
        )
        assert len(str(url)) <= 2000
    short = [f"10.1000/{i}" for i in range(300)]
    assert [len(b) for b in plan_batches(short, base_url="http://x", max_size=50)] == [50] * 6


def test_a_cached_rerun_lists_the_folder_once_and_stats_no_record(
    tmp_path, server, journal_records, monkeypatch
):
    dois = _dois(journal_records, 30)
    _fetcher(tmp_path, server).fetch(dois)
    server.reset_stats()
    real_is_file = Path.is_file

    def no_record_stat(path):
        if path.suffix == ".json":
            pytest.fail(f"stat of {path}")
        return real_is_file(path)

    monkeypatch.setattr(Path, "is_file", no_record_stat)
    report = _fetcher(tmp_path, server).fetch(dois)
    assert report.count("cached") == 30 and server.stats.total == 0


def test_records_are_written_compact_and_with_the_umask(tmp_path, server, journal_records):
    old = os.umask(0o027)
    try:
        _fetcher(tmp_path, server).fetch(_dois(journal_records, 2))
    finally:
        os.umask(old)
    for path in (tmp_path / "cache").glob("*.json"):
        assert path.stat().st_mode & 0o777 == 0o640
        text = path.read_text()
        assert text.count("\n") == 1 and ", " not in text[:200] and '": ' not in text


# -- one cache, two runs -------------------------------------------------------------------


def test_two_runs_on_one_cache_lose_no_not_found_row_and_do_no_work_twice(
    tmp_path, crossref_records, journal_records
):
    unknown = [f"10.9999/unknown-{i}" for i in range(16)]
    known = _dois(journal_records, 40)
    said: list[str] = []
    # No rate limits: each run paces itself, and this test is about the cache, not pacing.
    with CrossrefServer(crossref_records, latency=0.02, single_rate=None, list_rate=None) as server:

        def run(dois):
            return _fetcher(tmp_path, server, notify=said.append).fetch(dois)

        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(run, [known + unknown[::2], known + unknown[1::2]])
        assert set(CrossrefCache(tmp_path / "cache").not_found()) == set(unknown)
        assert server.stats.requests["list"] == 2  # each run's one list request; none twice
    assert first.count("fetched") + second.count("fetched") == 40
    assert first.count("cached") + second.count("cached") == 40
    assert first.count("not-found") == second.count("not-found") == 8
    assert any("another litkit fetch is writing to" in line for line in said)


def test_a_run_that_waits_too_long_for_the_lock_is_a_cache_error(tmp_path, server, journal_records):
    cache = CrossrefCache(tmp_path / "cache")
    with cache.locked(timeout=1):
        fetcher = _fetcher(tmp_path, server, lock_timeout=0.2)
        with pytest.raises(
            CacheError, match=r"another litkit fetch has held this lock for over 0.2 s"
        ):
            fetcher.fetch(_dois(journal_records, 2))
    assert server.stats.total == 0


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(tmp_path, server, journal_records):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / ".abc123.tmp").write_text('{"half": ')
    (folder / "notes.tmp").write_text("not ours: no leading dot")
    said: list[str] = []
    _fetcher(tmp_path, server, notify=said.append).fetch(_dois(journal_records, 1))
    assert not (folder / ".abc123.tmp").exists() and (folder / "notes.tmp").exists()
    assert said[0] == f"removed 1 temporary files a killed run left in {folder}"


def test_an_old_not_found_list_beside_the_cache_is_read_then_moved_into_it(
    tmp_path, server, journal_records
):
    old = tmp_path / "cache-not-found.csv"
    old.write_text(
        "doi,agency,reason,checked_at\n"
        "10.9999/old,,not found at Crossref (HTTP 404),2025-01-01T00:00:00Z\n"
    )
    cache = CrossrefCache(tmp_path / "cache")
    assert set(cache.not_found()) == {"10.9999/old"}  # read where it was
    said: list[str] = []
    report = _fetcher(tmp_path, server, notify=said.append).fetch(
        [*_dois(journal_records, 1), "10.9999/new"]
    )
    assert report.count("not-found") == 1
    assert set(cache.not_found()) == {"10.9999/old", "10.9999/new"}
    assert not old.exists() and cache.not_found_file.is_file()
    assert f"moved the not-found list {old} into {cache.not_found_file}" in said


# -- cache errors --------------------------------------------------------------------------


def test_a_cache_path_that_is_a_file_is_a_cache_error(tmp_path, server, journal_records):
    (tmp_path / "cache").write_text("I am a file")
    with pytest.raises(CacheError, match=r"cache: is a file.*must be a folder"):
        _fetcher(tmp_path, server).fetch(_dois(journal_records, 1))
    assert server.stats.total == 0


def test_a_read_only_cache_is_a_cache_error_naming_it(
    tmp_path, server, journal_records, monkeypatch
):
    folder = tmp_path / "cache"
    folder.mkdir()
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).startswith(str(folder)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(
        CacheError,
        match=rf"{folder}: cannot lock the cache folder: cannot write"
        r" there \(read-only, or no permission\)",
    ):
        _fetcher(tmp_path, server).fetch(_dois(journal_records, 1))
    assert server.stats.total == 0


def test_a_full_disk_is_a_cache_error_and_keeps_the_records_written_before(
    tmp_path, server, journal_records, monkeypatch
):
    dois = _dois(journal_records, 3)
    _fetcher(tmp_path, server).fetch(dois[:2])
    before = {p.name: p.read_bytes() for p in (tmp_path / "cache").glob("*.json")}
    import litkit.files

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(litkit.files, "_create_temporary", full)
    with pytest.raises(
        CacheError,
        match=r"cannot write: no space left on the device; records"
        r" written before are kept",
    ):
        _fetcher(tmp_path, server).fetch(dois, refresh=True)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in (tmp_path / "cache").glob("*.json")} == before
    assert not list((tmp_path / "cache").glob(".*.tmp"))


def test_the_garbage_collector_is_paused_during_requests_and_restored_after(
    tmp_path, server, journal_records
):
    import gc

    seen = []
    fetcher = _fetcher(tmp_path, server)
    store = fetcher._storer

    def watching(refresh):
        inner = store(refresh)
        return lambda *args: (seen.append(gc.isenabled()), inner(*args))[1]

    fetcher._storer = watching
    assert gc.isenabled()
    assert fetcher.fetch(_dois(journal_records, 3)).ok
    assert seen == [False] * 3 and gc.isenabled()
