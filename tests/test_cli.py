"""The `litkit` command line: output, exit status, and messages without tracebacks."""

import pytest

from litkit.cli import COMMANDS, dois_from_file, main
from litkit.testing.crossref_server import CrossrefServer


def test_dois_prints_each_doi_once_in_order(tmp_path, capsys):
    a = tmp_path / "a.html"
    a.write_text('<a href="https://doi.org/10.1000/B">x</a> doi:10.1000/a')
    b = tmp_path / "b.md"
    b.write_text("[x](https://doi.org/10.1000/a) and 10.1000/c.")
    assert main(["dois", str(a), str(b)]) == 0
    assert capsys.readouterr().out.splitlines() == ["10.1000/b", "10.1000/a", "10.1000/c"]


def test_dois_exits_0_when_there_is_none_and_says_so(tmp_path, capsys):
    empty = tmp_path / "none.txt"
    empty.write_text("ISBN 978-0-12-345678-9, PMID 123, 10.12/3")
    assert main(["dois", str(empty)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == f"litkit dois: warning: {empty}: no DOI found\n"


@pytest.mark.parametrize(
    "data, what",
    [
        (b"%PDF-1.7\n\x00\x01 10.1000/hidden", "binary data, not text"),
        ("doi 10.1000/hidden\n".encode("utf-16"), "UTF-16 text"),
        ("doi 10.1000/hidden\n".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        (b"doi 10.1000/hidden\ncaf\xe9", "line 2: not UTF-8 text (byte 0xe9 at column 4)"),
    ],
)
def test_dois_skips_a_file_that_is_not_text_with_a_warning_and_exits_1(
    tmp_path, capsys, data, what
):
    bad, good = tmp_path / "bad.txt", tmp_path / "good.txt"
    bad.write_bytes(data)
    good.write_text("10.1000/good")
    assert main(["dois", str(bad), str(good)]) == 1
    out, err = capsys.readouterr()
    assert out == "10.1000/good\n"
    assert err.startswith(f"litkit dois: warning: {bad}") and what in err and "skipped" in err
    assert "Traceback" not in err


def test_dois_reads_the_other_files_when_one_is_missing_and_exits_2(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("10.1000/good")
    assert main(["dois", str(tmp_path / "nope.txt"), str(good), str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == "10.1000/good\n"
    assert err.splitlines() == [
        f"litkit dois: {tmp_path / 'nope.txt'}: file not found",
        f"litkit dois: {tmp_path}: a folder, not a file",
    ]


def test_dois_finishes_on_a_megabyte_of_brackets_after_a_doi(tmp_path, capsys):
    path = tmp_path / "odd.txt"
    path.write_text("see 10.1000/abc" + ")" * 1_000_000 + "\nand 10.1000/def.")
    assert main(["dois", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["10.1000/abc", "10.1000/def"]


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
    assert "not-cached 23; 0 requests, 0 429s" in out  # 7 cited, 16 best evidence
    assert err.count("not-cached: offline") == 23 and "10.1111/bcp.12094" in err


def test_fetch_names_bad_and_unknown_dois_and_exits_1(tmp_path, capsys, crossref_records):
    known = crossref_records[0]["DOI"]
    with CrossrefServer(crossref_records) as server:
        status = main(
            [
                "fetch",
                known,
                "10.9999/unknown",
                "10.12/3",
                "--cache",
                str(tmp_path),
                "--base-url",
                server.url,
                "--mailto",
                "t@example.org",
            ]
        )
    out, err = capsys.readouterr()
    assert status == 1
    assert "10.9999/unknown: not-found: not found at Crossref (HTTP 404)" in err
    assert "10.12/3: invalid: not a DOI" in err
    assert out.startswith("fetched 1, already cached 0")
    assert main(["fetch", known, "--cache", str(tmp_path), "--offline"]) == 0


def test_fetch_takes_its_url_and_contact_from_the_environment(
    tmp_path, monkeypatch, crossref_records
):
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
    assert "not-cached 23" in out and "claims.csv" not in err


def test_build_on_an_empty_folder_lists_every_missing_table_in_one_message(tmp_path, capsys):
    assert main(["build", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("litkit build: 7 problems in the input files:")
    for table in (
        "articles",
        "citations",
        "indications",
        "outcomes",
        "claims",
        "appraisals",
        "best_evidence",
    ):
        assert f"{table}.csv: file not found" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["build", "audit", "report"])
def test_every_command_on_a_project_reports_every_invalid_table(scratch_project, capsys, command):
    raw = scratch_project / "data/raw"
    (raw / "citations.csv").write_bytes("article_id\n".encode("utf-16"))
    (raw / "indications.csv").unlink()
    assert main([command, "--root", str(scratch_project)]) == 1
    err = capsys.readouterr().err
    assert "citations.csv: UTF-16 text" in err and "indications.csv: file not found" in err
    assert "Traceback" not in err


def test_fetch_reports_both_its_tables_problems_at_once(scratch_project, capsys):
    raw = scratch_project / "data/raw"
    (raw / "articles.csv").write_text("article_id,title,article_id\n")
    (raw / "citations.csv").write_bytes(b"article_id,ref_no\n\xff\n")
    assert main(["fetch", "--offline", "--root", str(scratch_project)]) == 1
    err = capsys.readouterr().err
    assert "articles.csv, line 1, column 'article_id': appears twice in the header" in err
    assert "citations.csv, line 2: not UTF-8 text (byte 0xff at column 1)" in err


def test_a_from_file_that_is_not_text_is_a_usage_error_naming_it(tmp_path, capsys):
    listing = tmp_path / "list.txt"
    listing.write_bytes(b"10.1000/a\n\xff\n")
    assert main(["fetch", "--from", str(listing), "--offline", "--cache", str(tmp_path)]) == 2
    assert "list.txt, line 2: not UTF-8 text" in capsys.readouterr().err


def test_an_interrupted_command_exits_130_without_a_traceback(tmp_path, capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(COMMANDS, "report", interrupted)
    assert main(["report", "--root", str(tmp_path)]) == 130
    assert capsys.readouterr().err == "litkit report: interrupted; the last good report is kept\n"


def test_a_file_system_refusal_exits_1_naming_the_file(scratch_project, capsys):
    processed = scratch_project / "data" / "processed"
    processed.write_text("a file where the folder should be")
    assert main(["build", "--root", str(scratch_project)]) == 1
    err = capsys.readouterr().err
    assert str(processed) in err and "Traceback" not in err


@pytest.mark.parametrize(
    "option, value",
    [
        ("--batch-size", "0"),
        ("--batch-size", "-5"),
        ("--concurrency", "0"),
        ("--concurrency", "-1"),
        ("--list-rate", "0"),
        ("--single-rate", "-2"),
        ("--list-rate", "nan"),
        ("--base-url", "ftp://api.crossref.org"),
        ("--base-url", "api.crossref.org"),
    ],
)
def test_fetch_options_out_of_range_are_usage_errors_naming_the_value(
    tmp_path, capsys, option, value
):
    with pytest.raises(SystemExit) as caught:
        main(["fetch", "10.1000/a", "--cache", str(tmp_path), option, value])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert option in err and repr(value) in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_base_url_with_credentials_is_refused_without_echoing_them(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["fetch", "10.1000/a", "--base-url", "ftp://user:secret@example.org/"])
    assert "secret" not in capsys.readouterr().err


def test_a_crossref_url_from_the_environment_must_be_http(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LITKIT_CROSSREF_URL", "file:///etc")
    assert main(["fetch", "10.1000/a", "--cache", str(tmp_path)]) == 2
    assert "LITKIT_CROSSREF_URL" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content, words",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data, not text"),
        (b"10.1000/a\n\x00\x00\x00\x00", "binary data, not text"),
        ("10.1000/caf\u00e9\n".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_from_a_binary_or_non_utf8_file_is_a_usage_error(tmp_path, capsys, content, words):
    path = tmp_path / "dois.bin"
    path.write_bytes(content)
    assert main(["fetch", "--from", str(path), "--cache", str(tmp_path / "c"), "--offline"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and words in err and "Traceback" not in err


def test_fetch_says_what_it_does_from_the_first_request(
    tmp_path, capsys, crossref_records, monkeypatch
):
    monkeypatch.delenv("LITKIT_MAILTO", raising=False)
    with CrossrefServer(crossref_records) as server:
        url = server.url
        assert (
            main(["fetch", crossref_records[0]["DOI"], "--cache", str(tmp_path), "--base-url", url])
            == 0
        )
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"litkit fetch: fetching 1 DOIs from {url} (public pool: 1 list"
        " and 5 single requests/s, 1 in flight)"
    )
    assert "no contact address (--mailto or $LITKIT_MAILTO)" in err[1] and "public pool" in err[1]


def test_fetch_with_no_network_fails_fast_with_one_line(tmp_path, capsys):
    import socket
    import time

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    status = main(
        [
            "fetch",
            "10.1000/a",
            "10.1000/b",
            "--cache",
            str(tmp_path / "cache"),
            "--base-url",
            f"http://127.0.0.1:{port}",
            "--mailto",
            "t@example.org",
        ]
    )
    assert time.monotonic() - start < 10
    assert status == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"litkit fetch: cannot reach http://127.0.0.1:{port}: check the network, or use --offline"
    )
    assert "Traceback" not in err


def test_fetch_offline_on_a_fully_cached_set_exits_0_and_writes_nothing(
    tmp_path, capsys, crossref_records
):
    dois = [r["DOI"] for r in crossref_records[:3]]
    with CrossrefServer(crossref_records) as server:
        assert main(["fetch", *dois, "--cache", str(tmp_path / "c"), "--base-url", server.url]) == 0
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "c").iterdir()}
    assert main(["fetch", *dois, "--cache", str(tmp_path / "c"), "--offline"]) == 0
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "c").iterdir()} == before
    assert "already cached 3" in capsys.readouterr().out
