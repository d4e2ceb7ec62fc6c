"""The on-disk cache: safe names, atomic writes, provenance."""

import json
import os

import pytest

from litkit.crossref.cache import CacheError, CrossrefCache, cache_filename


@pytest.mark.parametrize("doi", [
    "10.5555/../../x", "10.5555/..", "10.1000/a/b/c", "10.1000/a\\b", "10.1000/nul\x00x",
    "10.1000/" + "x" * 400, "10.1000/~user:name?*|<>",
])
def test_no_doi_escapes_the_cache_folder(tmp_path, doi):
    cache = CrossrefCache(tmp_path / "cache")
    path = cache.write(doi, {"DOI": doi}, message_version="1.0.0", api_url="u", via="single")
    assert path.parent == tmp_path / "cache"
    assert len(path.name.encode()) <= 255
    assert "/" not in path.name and "\\" not in path.name
    assert cache.read(doi).message == {"DOI": doi}
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [path.name]


def test_dois_that_differ_only_in_case_share_a_file(tmp_path):
    cache = CrossrefCache(tmp_path)
    cache.write("10.1000/ABC", {"DOI": "10.1000/ABC"}, message_version="1.0.0", api_url="u", via="list")
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
    cache.write("10.1000/x", {"v": 1}, message_version=None, api_url="u", via="single")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        cache.write("10.1000/x", {"v": 2}, message_version=None, api_url="u", via="single")
    monkeypatch.undo()
    assert cache.read("10.1000/x").message == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == [cache_filename("10.1000/x")]


def test_records_skips_temporary_files_and_names_a_corrupt_file(tmp_path):
    cache = CrossrefCache(tmp_path)
    cache.write("10.1000/a", {"DOI": "10.1000/a"}, message_version=None, api_url="u", via="list")
    (tmp_path / ".abc.tmp").write_text('{"half": ')
    assert [r.message["DOI"] for r in cache.records()] == ["10.1000/a"]
    (tmp_path / "10.1000%2Fbad.json").write_text("{not json")
    with pytest.raises(CacheError, match="10.1000%2Fbad.json"):
        list(cache.records())
