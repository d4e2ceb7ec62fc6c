"""The `litkit` command line: output, exit status, and messages without tracebacks."""

import pytest

from litkit.cli import dois_from_file, main
from litkit.testing.crossref_server import CrossrefServer


def test_dois_prints_each_doi_once_in_order(tmp_path, capsys):
    a = tmp_path / "a.html"
    a.write_text('<a href="https://doi.org/10.1000/B">x</a> doi:10.1000/a')
    b = tmp_path / "b.md"
    b.write_text("[x](https://doi.org/10.1000/a) and 10.1000/c.")
    assert main(["dois", str(a), str(b)]) == 0
    assert capsys.readouterr().out.splitlines() == ["10.1000/b", "10.1000/a", "10.1000/c"]


def test_dois_exits_0_when_there_is_none(tmp_path, capsys):
    empty = tmp_path / "none.txt"
    empty.write_text("ISBN 978-0-12-345678-9, PMID 123, 10.12/3")
    assert main(["dois", str(empty)]) == 0
    assert capsys.readouterr().out == ""


def test_a_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["dois", str(tmp_path / "nope.txt")]) == 2
    err = capsys.readouterr().err
    assert "nope.txt" in err and "Traceback" not in err


def test_unknown_command_and_bad_option_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["fetch", "--batch-size", "many"])
    assert caught.value.code == 2


def test_from_file_reads_text_or_csv(tmp_path):
    text = tmp_path / "list.txt"
    text.write_text("# my DOIs\n10.1000/a\n\nhttps://doi.org/10.1000/B\n")
    assert dois_from_file(text) == ["10.1000/a", "https://doi.org/10.1000/B"]
    table = tmp_path / "refs.csv"
    table.write_text("title,DOI\nA,10.1000/a\nB,\nC,10.1000/c\n")
    assert dois_from_file(table) == ["10.1000/a", "10.1000/c"]


def test_fetch_offline_names_each_missing_doi_and_exits_1(scratch_project, capsys):
    status = main(["fetch", "--offline", "--root", str(scratch_project)])
    out, err = capsys.readouterr()
    assert status == 1
    assert "not-cached 7; 0 requests, 0 429s" in out
    assert err.count("not-cached: offline") == 7 and "10.1111/bcp.12094" in err


def test_fetch_names_bad_and_unknown_dois_and_exits_1(tmp_path, capsys, crossref_records):
    known = crossref_records[0]["DOI"]
    with CrossrefServer(crossref_records) as server:
        status = main(["fetch", known, "10.9999/unknown", "10.12/3", "--cache", str(tmp_path),
                       "--base-url", server.url, "--mailto", "t@example.org"])
    out, err = capsys.readouterr()
    assert status == 1
    assert "10.9999/unknown: not-found: not found at Crossref (HTTP 404)" in err
    assert "10.12/3: invalid: not a DOI" in err
    assert out.startswith("fetched 1, already cached 0")
    assert main(["fetch", known, "--cache", str(tmp_path), "--offline"]) == 0


def test_fetch_takes_its_url_and_contact_from_the_environment(tmp_path, monkeypatch, crossref_records):
    with CrossrefServer(crossref_records) as server:
        monkeypatch.setenv("LITKIT_CROSSREF_URL", server.url)
        monkeypatch.setenv("LITKIT_MAILTO", "env@example.org")
        assert main(["fetch", crossref_records[0]["DOI"], "--cache", str(tmp_path)]) == 0
        assert "mailto:env@example.org" in server.stats.log[0].user_agent


def test_build_reports_an_invalid_row_without_a_traceback(scratch_project, capsys):
    claims = scratch_project / "data/raw/claims.csv"
    claims.write_text(claims.read_text().replace(",efficacy,possible,", ",efficacy,perhaps,", 1))
    assert main(["build", "--root", str(scratch_project)]) == 1
    err = capsys.readouterr().err
    assert "claims.csv, line" in err and "'perhaps' is not allowed" in err
    assert "Traceback" not in err


def test_build_writes_the_tables(scratch_project, capsys):
    assert main(["build", "--root", str(scratch_project)]) == 0
    assert (scratch_project / "data/processed/works.csv").is_file()


def test_audit_prints_a_verdict_per_citation_and_writes_the_table(scratch_project, capsys):
    assert main(["audit", "--root", str(scratch_project)]) == 0
    out = capsys.readouterr().out
    assert out.count(": not-checked: no Crossref record cached") == 23  # 7 cited, 16 best evidence
    assert "A1 10.1097/pr9.0000000000000674: not-checked" in out
    assert "best evidence 10.1002/14651858.cd012033.pub4: not-checked" in out
    assert "not-checked 23" in out
    assert (scratch_project / "data/processed/citation_audit.csv").is_file()


def test_fetch_needs_only_the_citations_not_valid_claims(scratch_project, capsys):
    claims = scratch_project / "data/raw/claims.csv"
    claims.write_text(claims.read_text().replace(",efficacy,possible,", ",efficacy,perhaps,", 1))
    assert main(["fetch", "--offline", "--root", str(scratch_project)]) == 1
    out, err = capsys.readouterr()
    assert "not-cached 7" in out and "claims.csv" not in err
