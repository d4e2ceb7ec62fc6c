"""The on-disk cache: safe names, atomic writes, provenance."""

import json
import os

import pytest

from litkit.crossref.cache import CacheError, CrossrefCache, cache_filename
from litkit.crossref.records import slim


def _work(doi, version=1):
    """A minimal Crossref work record."""
    return {"DOI": doi, "type": "journal-article", "title": [f"Work {version}"]}


@pytest.mark.parametrize(
    "doi",
    [
        "10.5555/../../x",
        "10.5555/..",
        "10.1000/a/b/c",
        "10.1000/a\\b",
        "10.1000/nul\x00x",
        "10.1000/" + "x" * 400,
        "10.1000/~user:name?*|<>",
    ],
)
def test_no_doi_escapes_the_cache_folder(tmp_path, doi):
    cache = CrossrefCache(tmp_path / "cache")
    path = cache.write(doi, _work(doi), message_version="1.0.0", api_url="u", via="single")
    assert path.parent == tmp_path / "cache"
    assert len(path.name.encode()) <= 255
    assert "/" not in path.name and "\\" not in path.name
    assert cache.read(doi).message == _work(doi)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [path.name]


def test_dois_that_differ_only_in_case_share_a_file(tmp_path):
    cache = CrossrefCache(tmp_path)
    cache.write(
        "10.1000/ABC", _work("10.1000/ABC"), message_version="1.0.0", api_url="u", via="list"
    )
    assert cache.has("10.1000/abc")
    assert cache_filename("10.1000/ABC") == cache_filename("10.1000/abc")


def test_a_record_keeps_the_message_unchanged_and_its_provenance(tmp_path):
    record = {"DOI": "10.1000/x", "title": ["<i>T</i>"], "issued": {"date-parts": [[None]]}}
    cache = CrossrefCache(tmp_path)
    cache.write("10.1000/X", record, message_version="1.0.0", api_url="http://api", via="single")
    envelope = json.loads(cache.path_for("10.1000/x").read_text())
    assert envelope["message"] == record
    prov = envelope["provenance"]
    assert prov["requested_doi"] == "10.1000/X"
    assert prov["fetched_at"].endswith("Z")
    assert prov["api_message_version"] == "1.0.0"
    assert prov["litkit_version"]
    assert "mailto" not in json.dumps(prov)


def test_a_failed_write_leaves_the_old_record_and_no_temporary_file(tmp_path, monkeypatch):
    cache = CrossrefCache(tmp_path)
    cache.write("10.1000/x", _work("10.1000/x", 1), message_version=None, api_url="u", via="single")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(CacheError, match="cannot write"):
        cache.write(
            "10.1000/x", _work("10.1000/x", 2), message_version=None, api_url="u", via="single"
        )
    monkeypatch.undo()
    assert cache.read("10.1000/x").message == _work("10.1000/x", 1)
    assert [p.name for p in tmp_path.iterdir()] == [cache_filename("10.1000/x")]


def test_records_skips_temporary_files_and_names_a_corrupt_file(tmp_path):
    cache = CrossrefCache(tmp_path)
    cache.write("10.1000/a", _work("10.1000/a"), message_version=None, api_url="u", via="list")
    (tmp_path / ".abc.tmp").write_text('{"half": ')
    assert [r.message["DOI"] for r in cache.records()] == ["10.1000/a"]
    (tmp_path / "10.1000%2Fbad.json").write_text("{not json")
    with pytest.raises(CacheError, match="10.1000%2Fbad.json"):
        list(cache.records())


def test_records_are_written_as_the_standard_library_would_compact_and_sorted(
    tmp_path, crossref_records
):
    cache = CrossrefCache(tmp_path)
    for record in crossref_records[:50] + [dict(_work("10.1000/big"), big=2**70)]:
        path = cache.write(record["DOI"], record, message_version="1.0.0", api_url="u", via="list")
        envelope = json.loads(path.read_bytes())
        expected = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        assert path.read_text(encoding="utf-8") == expected + "\n"


@pytest.mark.parametrize(
    "envelope, problem",
    [
        ("[1, 2]", "a list, not a JSON object"),
        ('{"message": {"DOI": "10.1000/x", "type": "journal-article"}}', "no 'provenance' object"),
        ('{"provenance": {}}', "no 'message'"),
        ('{"provenance": {}, "message": {}}', "'message' is not a Crossref work (no DOI)"),
        (
            '{"provenance": {}, "message": {"DOI": "10.1000/x", "title": "T"}}',
            "'message' is not a Crossref work ('title' is a string, not a list)",
        ),
        ('{"provenance": {}, "mess', "not valid JSON"),
    ],
)
def test_a_cache_record_of_the_wrong_shape_is_a_cache_error_naming_it(tmp_path, envelope, problem):
    cache = CrossrefCache(tmp_path)
    cache.path_for("10.1000/x").write_text(envelope)
    with pytest.raises(CacheError) as caught:
        cache.read("10.1000/x")
    message = str(caught.value)
    assert message.startswith(str(cache.path_for("10.1000/x")) + ": ")
    assert (
        problem in message and "expected a JSON object with 'provenance' and 'message'" in message
    )


@pytest.mark.parametrize(
    "text, problem",
    [
        ("doi,reason\n10.1000/a,gone\n", "line 1: header is doi,reason"),
        ("doi,agency,reason,checked_at\n10.1000/a,,gone\n", "line 2: not a row of 4 values"),
        ("doi,agency,reason,checked_at\n,,gone,2025\n", "line 2: not a row of 4 values with a DOI"),
        (b"doi,agency,reason,checked_at\n10.1000/\xff,,x,y\n", "not a readable CSV"),
    ],
)
def test_a_corrupt_not_found_list_is_a_cache_error_naming_it(tmp_path, text, problem):
    cache = CrossrefCache(tmp_path)
    write = (
        cache.not_found_file.write_bytes
        if isinstance(text, bytes)
        else cache.not_found_file.write_text
    )
    write(text)
    with pytest.raises(CacheError) as caught:
        cache.not_found()
    assert str(caught.value).startswith(f"{cache.not_found_file}: ")
    assert problem in str(caught.value) and "doi,agency,reason,checked_at" in str(caught.value)


def test_refusing_to_cache_what_is_not_a_work(tmp_path):
    cache = CrossrefCache(tmp_path)
    for message in ({}, {"DOI": "10.1000/x"}, "text", {"DOI": "10.1000/x", "author": "A"}):
        with pytest.raises(
            CacheError, match="refusing to cache an answer that is not a Crossref work"
        ):
            cache.write("10.1000/x", message, message_version=None, api_url="u", via="single")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("parallel_from", [10**9, 5])
def test_read_many_gives_each_cached_doi_in_order_cut_as_asked(
    tmp_path, monkeypatch, parallel_from
):
    import litkit.crossref.cache as cache_module

    monkeypatch.setattr(cache_module, "READ_PARALLEL_FROM", parallel_from)
    cache = CrossrefCache(tmp_path)
    dois = [f"10.1000/w{i:02d}" for i in range(40)]
    for doi in dois:
        cache.write(doi, _work(doi), message_version="1.0.0", api_url="u", via="list")
    asked = [*reversed(dois), "10.1000/not-cached"]
    read = list(cache.read_many(asked, slim=True))
    assert [doi for doi, _, _ in read] == dois
    assert all(message == slim(_work(d)) for d, message, _ in read)
    assert all(provenance["requested_doi"] == d for d, _, provenance in read)


@pytest.mark.parametrize("parallel_from", [10**9, 5])
def test_read_many_names_the_first_corrupt_file(tmp_path, monkeypatch, parallel_from):
    import litkit.crossref.cache as cache_module

    monkeypatch.setattr(cache_module, "READ_PARALLEL_FROM", parallel_from)
    cache = CrossrefCache(tmp_path)
    dois = [f"10.1000/w{i:02d}" for i in range(40)]
    for doi in dois:
        cache.write(doi, _work(doi), message_version="1.0.0", api_url="u", via="list")
    cache.path_for(dois[30]).write_text("{not json")
    cache.path_for(dois[35]).write_text("[]")
    with pytest.raises(CacheError, match=r"w30\.json: not valid JSON"):
        list(cache.read_many(dois))
