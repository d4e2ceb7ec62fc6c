"""Tests for litkit.crossref_server, driven by the real habanero client where possible.

The server stands in for api.crossref.org in litkit's tests and benchmarks, so these tests
check both that it answers like Crossref and how habanero (2.9, on httpx2) reacts to each
answer, which the fetch layer's retry logic relies on.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path
from urllib.parse import quote

import habanero
import httpx2
import pytest
from habanero import Crossref

from litkit.testing.crossref_server import (
    FAULT_KINDS,
    SHAPE_FAULTS,
    TRICKLE_FAULTS,
    CrossrefServer,
    load_records,
)

DATA = Path(__file__).parent / "data" / "crossref" / "works.jsonl.gz"
PAREN_DOI = "10.1016/0160-4120(81)90073-8"  # a real recorded DOI with parentheses
UNKNOWN_DOI = "10.9999/not-a-recorded-doi"
MAILTO = "test@example.org"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return load_records(DATA)


@pytest.fixture(scope="module")
def dois(records) -> list[str]:
    return [r["DOI"] for r in records]


@pytest.fixture
def serve(records):
    """Start servers on the recorded records; stop them and check for server errors."""
    started: list[CrossrefServer] = []

    def start(**options) -> CrossrefServer:
        server = CrossrefServer(options.pop("records", records), **options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        assert server.stats.errors == []


def client(server: CrossrefServer, **options) -> Crossref:
    return Crossref(base_url=server.url, mailto=MAILTO, **options)


# ---------------------------------------------------------------------------- records


def test_load_records_reads_jsonl_gz_and_plain_jsonl(records, tmp_path):
    assert len(records) == 520
    assert all(r["DOI"] for r in records)
    plain = tmp_path / "works.jsonl"
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        plain.write_text(f.read() + "\n", encoding="utf-8")
    assert load_records(plain) == records


# ---------------------------------------------------------------------------- single works


def test_single_work_round_trip_returns_the_recorded_record(serve, records):
    server = serve()
    for record in (records[0], records[len(records) // 2], records[-1]):
        answer = client(server).works(ids=record["DOI"])
        assert answer == {
            "status": "ok",
            "message-type": "work",
            "message-version": "1.0.0",
            "message": record,
        }


def test_single_work_is_json_with_crossref_headers(serve, dois):
    server = serve()
    r = httpx2.get(f"{server.url}/works/{dois[0]}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json()["message"]["DOI"] == dois[0]


def test_lookup_is_case_insensitive(serve, records):
    server = serve()
    record = next(r for r in records if any(c.isalpha() for c in r["DOI"]))
    for doi in (record["DOI"].upper(), record["DOI"].swapcase()):
        assert client(server).works(ids=doi)["message"] == record


def test_unknown_doi_is_a_plain_text_404(serve):
    server = serve()
    r = httpx2.get(f"{server.url}/works/{UNKNOWN_DOI}")
    assert (r.status_code, r.text) == (404, "Resource not found.")
    assert r.headers["content-type"].startswith("text/plain")
    with pytest.raises(httpx2.HTTPStatusError) as caught:
        client(server).works(ids=UNKNOWN_DOI)
    assert caught.value.response.status_code == 404


def test_dois_with_parentheses_and_percent_encoding(serve, records):
    server = serve()
    record = next(r for r in records if r["DOI"] == PAREN_DOI)
    assert client(server).works(ids=PAREN_DOI)["message"] == record
    encoded = PAREN_DOI.replace("/", "%2F").replace("(", "%28").replace(")", "%29")
    assert httpx2.get(f"{server.url}/works/{encoded}").json()["message"] == record
    assert httpx2.get(f"{server.url}/v1/works/{PAREN_DOI}").json()["message"] == record


def test_sici_style_doi_survives_habanero_and_needs_quoting_for_hash_and_query(serve):
    sici = "10.1002/(SICI)1097-4636(199706)35:4<419::AID-JBM1>3.0.CO;2-D"
    odd = "10.1000/odd?x=1#frag"
    server = serve(records=[{"DOI": sici}, {"DOI": odd}])
    cr = client(server)
    assert cr.works(ids=sici)["message"]["DOI"] == sici  # httpx2 encodes < and > itself
    with pytest.raises(httpx2.HTTPStatusError):  # '?' and '#' are not escaped by habanero
        cr.works(ids=odd)
    assert cr.works(ids=quote(odd, safe="/"))["message"]["DOI"] == odd


# ---------------------------------------------------------------------------- work lists


def test_list_filter_returns_exactly_the_found_records(serve, records):
    server = serve()
    wanted = [records[5], records[77], records[300]]
    asked = [r["DOI"] for r in wanted] + [UNKNOWN_DOI]
    answer = client(server).works(filter={"doi": asked}, limit=50)
    assert answer["status"] == "ok"
    assert answer["message-type"] == "work-list"
    message = answer["message"]
    assert sorted(message["items"], key=lambda r: r["DOI"]) == wanted
    assert message["total-results"] == 3
    assert message["items-per-page"] == 50
    assert message["query"] == {"start-index": 0, "search-terms": None}
    assert server.stats.log[-1].path.startswith("/works?filter=doi%3A")


def test_list_filter_is_case_insensitive_and_respects_rows(serve, dois):
    server = serve()
    asked = [d.upper() for d in dois[:5]]
    message = client(server).works(filter={"doi": asked}, limit=2)["message"]
    assert message["total-results"] == 5
    assert [r["DOI"] for r in message["items"]] == dois[:2]


def test_list_leaves_out_omitted_dois_but_single_requests_find_them(serve, dois):
    server = serve(omit=[dois[1].upper()])
    message = client(server).works(filter={"doi": dois[:3]}, limit=50)["message"]
    assert {r["DOI"] for r in message["items"]} == {dois[0], dois[2]}
    assert message["total-results"] == 2
    assert client(server).works(ids=dois[1])["message"]["DOI"] == dois[1]
    server.omit = []
    message = client(server).works(filter={"doi": dois[:3]}, limit=50)["message"]
    assert len(message["items"]) == 3


def test_invalid_filter_is_a_json_validation_failure(serve):
    server = serve()
    with pytest.raises(habanero.RequestError) as caught:
        client(server).works(filter={"issn": "1234-5678"})
    assert caught.value.status_code == 400
    assert caught.value.error.startswith("Filter issn specified but there is no such filter")
    r = httpx2.get(f"{server.url}/works", params={"filter": "xyz:1"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {
        "status": "failed",
        "message-type": "validation-failure",
        "message": [
            {
                "type": "filter-not-available",
                "value": "xyz",
                "message": "Filter xyz specified but there is no such filter for this"
                " route. Valid filters for this route are: doi, alternative-id",
            }
        ],
    }


def test_the_alternative_id_filter_finds_a_record_by_its_publishers_id(serve, records):
    with_pii = next(
        r for r in records if any(str(a).startswith("S") for a in r.get("alternative-id", []))
    )
    pii = with_pii["alternative-id"][0]
    server = serve()
    answer = client(server).works(filter={"alternative-id": pii.lower()}, limit=5)
    assert [item["DOI"] for item in answer["message"]["items"]] == [with_pii["DOI"]]
    assert (
        client(server).works(filter={"alternative-id": "S0000000000000000"})["message"]["items"]
        == []
    )


def test_a_bibliographic_query_ranks_records_by_score(serve, records):
    target = next(
        r
        for r in records
        if r.get("type") == "journal-article"
        and r.get("author")
        and r.get("container-title")
        and r.get("issued")
    )
    printed = (
        f"{target['author'][0]['family']}. {target['title'][0]}. "
        f"{target['container-title'][0]}. {target['issued']['date-parts'][0][0]}"
    )
    items = client(serve()).works(query_bibliographic=printed, limit=3)["message"]["items"]
    assert items[0]["DOI"] == target["DOI"] and items[0]["score"] > 90
    assert len(items) <= 3 and items == sorted(items, key=lambda i: -i["score"])


def test_invalid_rows_is_a_400(serve):
    server = serve()
    r = httpx2.get(f"{server.url}/works", params={"filter": "doi:10.1/x", "rows": "5000"})
    assert r.status_code == 400
    assert r.json()["message"][0]["type"] == "integer-not-valid"


# ---------------------------------------------------------------------------- limits


def get_many(server: CrossrefServer, paths: list[str]) -> list[httpx2.Response]:
    """Send requests one after another, as fast as possible, on one keep-alive client."""
    with httpx2.Client(base_url=server.url) as http:
        return [http.get(path) for path in paths]


def assert_window_respected(server: CrossrefServer, route: str, limit: int) -> None:
    """No rolling second of arrivals holds more than ``limit`` admitted requests."""
    times = [e.time for e in server.stats.log if e.route == route and e.status != 429]
    for t in times:
        assert sum(t <= u < t + 1.0 for u in times) <= limit


def test_single_rate_limit_answers_429_in_html_when_exceeded(serve, dois):
    server = serve(single_rate=5, max_concurrent=None)
    responses = get_many(server, [f"/works/{dois[0]}"] * 20)
    limited = [r for r in responses if r.status_code == 429]
    assert limited, "20 quick requests with a limit of 5/s must meet a 429"
    assert {r.status_code for r in responses} == {200, 429}
    assert all(r.headers["content-type"].startswith("text/html") for r in limited)
    assert all("retry-after" not in r.headers for r in limited)
    assert "<html>" in limited[0].text
    assert_window_respected(server, "single", 5)
    assert server.stats.status_counts[429] == len(limited)


def test_rate_limit_is_not_hit_when_respected_and_the_window_rolls(serve, dois):
    server = serve(single_rate=10)
    assert {r.status_code for r in get_many(server, [f"/works/{dois[0]}"] * 8)} == {200}
    server = serve(single_rate=2, max_concurrent=None)
    statuses = [r.status_code for r in get_many(server, [f"/works/{dois[0]}"] * 3)]
    assert statuses == [200, 200, 429]
    time.sleep(1.1)
    assert get_many(server, [f"/works/{dois[0]}"])[0].status_code == 200


def test_single_and_list_limits_are_separate(serve, dois):
    server = serve(single_rate=None, list_rate=1)
    list_path = f"/works?filter=doi:{dois[0]}&rows=5"
    statuses = [r.status_code for r in get_many(server, [list_path, list_path])]
    assert statuses == [200, 429]
    assert get_many(server, [f"/works/{dois[0]}"] * 5)[-1].status_code == 200
    with pytest.raises(httpx2.HTTPStatusError) as caught:  # HTML 429 on the list path
        client(server).works(filter={"doi": dois[:2]})
    assert caught.value.response.status_code == 429


def test_disabled_limits_never_answer_429(serve, dois):
    server = serve(single_rate=None, list_rate=None, max_concurrent=None)
    responses = get_many(server, [f"/works/{dois[0]}", f"/works?filter=doi:{dois[0]}"] * 15)
    assert {r.status_code for r in responses} == {200}


def parallel_statuses(server: CrossrefServer, doi: str, n: int) -> list[int]:
    """Send ``n`` requests at once from ``n`` threads and collect their statuses."""
    barrier = threading.Barrier(n)
    statuses: list[int] = []

    def one() -> None:
        barrier.wait()
        statuses.append(httpx2.get(f"{server.url}/works/{doi}", timeout=10).status_code)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=15)
    return statuses


def test_concurrency_cap_answers_429_beyond_max_concurrent(serve, dois):
    server = serve(single_rate=None, max_concurrent=3, latency=0.8)
    statuses = parallel_statuses(server, dois[0], 6)
    assert len(statuses) == 6
    assert statuses.count(429) >= 1
    assert statuses.count(200) >= 3
    assert server.stats.max_in_flight == 3


def test_latency_is_spent_in_flight_so_concurrency_is_real(serve, dois):
    server = serve(single_rate=None, max_concurrent=None, latency=0.5)
    assert parallel_statuses(server, dois[0], 4) == [200] * 4
    assert server.stats.max_in_flight >= 2


def test_retry_after_header_when_configured(serve, dois):
    server = serve(single_rate=1, max_concurrent=None, retry_after=2)
    responses = get_many(server, [f"/works/{dois[0]}"] * 3)
    assert responses[-1].status_code == 429
    assert responses[-1].headers["retry-after"] == "2"
    assert "retry-after" not in responses[0].headers
    time.sleep(1.05)
    server.inject("429")
    injected = get_many(server, [f"/works/{dois[0]}"])[0]
    assert (injected.status_code, injected.headers["retry-after"]) == (429, "2")


# ---------------------------------------------------------------------------- faults

# What habanero 2.9.2 raises for each fault: on the single-id path (works(ids=...)) and on
# the list path (works(filter=...)), where transport errors become RuntimeError.
SINGLE_RAISES = {
    "429": httpx2.HTTPStatusError,
    "503": httpx2.HTTPStatusError,
    "500": httpx2.HTTPStatusError,
    "drop": httpx2.RemoteProtocolError,
    "reset": httpx2.ReadError,
    "cut": httpx2.RemoteProtocolError,
    "html200": habanero.RequestError,
    "badjson": json.JSONDecodeError,
    "slow": httpx2.ReadTimeout,
}
LIST_CAUSES = {
    "drop": httpx2.RemoteProtocolError,
    "reset": httpx2.ReadError,
    "cut": httpx2.RemoteProtocolError,
    "slow": httpx2.ReadTimeout,
}


def test_every_fault_kind_is_covered():
    assert set(SINGLE_RAISES) | SHAPE_FAULTS | TRICKLE_FAULTS == FAULT_KINDS


@pytest.mark.parametrize("kind", sorted(SINGLE_RAISES))
def test_fault_on_single_path_is_delivered_once(serve, records, kind):
    server = serve(slow_seconds=5)
    cr = client(server, timeout=0.5 if kind == "slow" else 5)
    server.inject(kind)
    with pytest.raises(SINGLE_RAISES[kind]) as caught:
        cr.works(ids=records[0]["DOI"])
    if isinstance(caught.value, httpx2.HTTPStatusError):
        assert caught.value.response.status_code == int(kind)
        assert "retry-after" not in caught.value.response.headers
    assert server.faults_pending == 0
    assert server.stats.faults[kind] == 1
    assert client(server).works(ids=records[0]["DOI"])["message"] == records[0]


@pytest.mark.parametrize("kind", sorted(SINGLE_RAISES))
def test_fault_on_list_path_is_delivered_once(serve, records, kind):
    server = serve(slow_seconds=5)
    cr = client(server, timeout=0.5 if kind == "slow" else 5)
    asked = {"doi": [records[0]["DOI"], records[1]["DOI"]]}
    server.inject(kind)
    if kind in LIST_CAUSES:
        with pytest.raises(RuntimeError) as caught:
            cr.works(filter=asked, limit=50)
        assert isinstance(caught.value.__cause__, LIST_CAUSES[kind])
    else:
        with pytest.raises(SINGLE_RAISES[kind]):
            cr.works(filter=asked, limit=50)
    assert server.faults_pending == 0
    assert client(server).works(filter=asked, limit=50)["message"]["items"] == records[:2]


# What a misshapen 200 holds, on the single path and on the list path.
SINGLE_SHAPES = {
    "empty-message": lambda m: m == {},
    "string-message": lambda m: isinstance(m, str),
    "no-message": lambda m: m is None,
    "wrong-types": lambda m: isinstance(m["title"], str) and m["DOI"],
    "bad-items": lambda m: isinstance(m, list),
    "items-without-doi": lambda m: isinstance(m, dict) and m.get("title") and "DOI" not in m,
}
LIST_SHAPES = {
    "empty-message": lambda m: m == {},
    "string-message": lambda m: isinstance(m, str),
    "no-message": lambda m: m is None,
    "wrong-types": lambda m: isinstance(m["items"], dict),
    "bad-items": lambda m: m["items"] and all(isinstance(i, str) for i in m["items"]),
    "items-without-doi": lambda m: m["items"] and all("DOI" not in i for i in m["items"]),
}


@pytest.mark.parametrize("kind", sorted(SHAPE_FAULTS))
def test_shape_faults_answer_200_with_json_of_the_wrong_shape(serve, dois, kind):
    assert set(SINGLE_SHAPES) == set(LIST_SHAPES) == SHAPE_FAULTS
    server = serve(single_rate=None, list_rate=None)
    server.inject(kind, route="single")
    server.inject(kind, route="list")
    single = httpx2.get(f"{server.url}/works/{dois[0]}")
    listed = httpx2.get(f"{server.url}/works", params={"filter": f"doi:{dois[0]},doi:{dois[1]}"})
    for answer, shapes in ((single, SINGLE_SHAPES), (listed, LIST_SHAPES)):
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert shapes[kind](answer.json().get("message"))
    assert server.faults_pending == 0
    assert httpx2.get(f"{server.url}/works/{dois[0]}").json()["message"]["DOI"] == dois[0]


@pytest.mark.parametrize("kind", sorted(TRICKLE_FAULTS))
def test_trickled_answers_never_trip_a_read_timeout_yet_take_long(serve, kind):
    tiny = [{"DOI": "10.1000/t", "title": ["T"]}]
    server = serve(records=tiny, trickle_seconds=0.005)
    server.inject(kind)
    start = time.monotonic()
    answer = client(server, timeout=0.2).works(ids="10.1000/t")  # every read is quick
    elapsed = time.monotonic() - start
    assert answer["message"] == tiny[0]
    body = len(json.dumps(answer, ensure_ascii=False).encode())
    assert elapsed >= body * 0.005 * 0.9  # the body came a byte at a time
    assert server.stats.faults[kind] == 1


def test_an_injected_fault_carries_its_own_retry_after(serve, dois):
    server = serve(retry_after=2)
    server.inject("429", retry_after=1200)
    server.inject("503", retry_after="Wed, 21 Oct 2099 07:28:00 GMT")
    server.inject("429")
    answers = get_many(server, [f"/works/{dois[0]}"] * 3)
    assert [a.headers["retry-after"] for a in answers] == [
        "1200",
        "Wed, 21 Oct 2099 07:28:00 GMT",
        "2",
    ]


def test_an_alias_doi_is_answered_with_the_record_of_its_primary_doi(serve, records):
    primary = records[3]
    server = serve(aliases={"10.9999/Alias-Of-3": primary["DOI"]})
    assert client(server).works(ids="10.9999/alias-of-3")["message"] == primary
    listed = client(server).works(filter={"doi": ["10.9999/alias-of-3", primary["DOI"]]}, limit=5)
    assert listed["message"]["items"] == [primary]  # once, under its own DOI
    assert client(server).registration_agency("10.9999/alias-of-3") == ["Crossref"]


def test_faults_match_by_doi_route_and_times(serve, dois):
    server = serve(single_rate=None, list_rate=None)
    server.inject("503", doi=dois[1].upper(), times=2)
    server.inject("500", route="list")
    assert get_many(server, [f"/works/{dois[0]}"])[0].status_code == 200
    assert get_many(server, [f"/works/{dois[1]}"])[0].status_code == 503
    statuses = [
        r.status_code
        for r in get_many(
            server,
            [
                f"/works?filter=doi:{dois[0]}",  # the list fault
                f"/works?filter=doi:{dois[0]}",  # nothing left for dois[0]
                f"/works?filter=doi:{dois[0]},doi:{dois[1]}",  # second delivery of the DOI fault
                f"/works/{dois[1]}",
            ],
        )
    ]
    assert statuses == [500, 200, 503, 200]
    assert server.faults_pending == 0
    server.inject("drop", times=3)
    server.clear_faults()
    assert server.faults_pending == 0


def test_inject_rejects_unknown_kinds_routes_and_times(serve):
    server = serve()
    with pytest.raises(ValueError):
        server.inject("418")
    with pytest.raises(ValueError):
        server.inject("429", route="search")
    with pytest.raises(ValueError):
        server.inject("429", times=0)


# ---------------------------------------------------------------------------- stats, life


def test_stats_count_routes_statuses_and_log_user_agents(serve, dois):
    server = serve()
    cr = client(server)
    cr.works(ids=dois[0])
    cr.works(filter={"doi": dois[:2]})
    with pytest.raises(httpx2.HTTPStatusError):
        cr.works(ids=UNKNOWN_DOI)
    stats = server.stats
    assert (stats.total, stats.requests["single"], stats.requests["list"]) == (3, 2, 1)
    assert (stats.status_counts[200], stats.status_counts[404]) == (2, 1)
    assert stats.max_in_flight == 1
    assert [e.route for e in stats.log] == ["single", "list", "single"]
    assert [e.status for e in stats.log] == [200, 200, 404]
    assert stats.log[0].path == f"/works/{dois[0]}"
    assert all("habanero/" in e.user_agent and MAILTO in e.user_agent for e in stats.log)
    assert stats.log[0].time <= stats.log[1].time <= stats.log[2].time
    assert stats.connections == 3  # habanero opens a connection per request
    get_many(server, [f"/works/{dois[0]}"] * 3)
    assert stats.connections == 4  # one kept-alive connection for three requests
    server.reset_stats()
    assert (server.stats.total, server.stats.log, server.stats.max_in_flight) == (0, [], 0)


def test_unknown_routes_are_404(serve):
    server = serve()
    r = httpx2.get(f"{server.url}/members/98")
    assert r.status_code == 404
    assert server.stats.requests["other"] == 1


def test_stops_quickly_with_a_slow_request_and_idle_connections(records, dois):
    server = CrossrefServer(records, slow_seconds=30).start()
    url = server.url
    assert url.startswith("http://127.0.0.1:") and not url.endswith("/")
    idle = httpx2.Client(base_url=url)
    assert idle.get(f"/works/{dois[0]}").status_code == 200  # leaves a keep-alive open
    server.inject("slow")
    slow = threading.Thread(
        target=lambda: pytest.raises(
            httpx2.TransportError, httpx2.get, f"{url}/works/{dois[0]}", timeout=60
        )
    )
    slow.start()
    deadline = time.monotonic() + 5
    while server.stats.faults["slow"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    slow.join(timeout=5)
    assert not slow.is_alive()
    idle.close()
    with pytest.raises(RuntimeError):
        server.url
    with pytest.raises(httpx2.ConnectError):
        httpx2.get(f"{url}/works/{dois[0]}", timeout=2)
    server.stop()  # stopping twice is harmless
