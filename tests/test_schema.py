"""Reading a raw CSV against its schema: every malformed file stops with a located error."""

import csv
import io

import pytest

from litkit.errors import NotTextError, RawDataError
from litkit.schema import Column, Table, read_rows, read_table

DEMO = Table("demo", (Column("id", unique=True), Column("kind", allowed=("a", "b"))))


def _write(tmp_path, data: bytes | str, name="demo.csv"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_a_good_table_is_read_with_extra_columns_after_the_schemas(tmp_path):
    frame = read_table(_write(tmp_path, "kind,id,note\na,1,x\n\nb,2,y\n"), DEMO)
    assert frame.columns.tolist() == ["id", "kind", "note"]
    assert frame["id"].tolist() == ["1", "2"]


def test_rows_read_to_be_written_back_keep_the_header_and_cells_as_the_file_has_them(tmp_path):
    many = Table("many", (Column("id"), Column("tags", many=True)))
    path = _write(tmp_path, "tags,id\nx;y , 1\n")
    assert read_rows(path, many) == (["tags", "id"], [{"tags": "x;y ", "id": " 1"}])
    assert read_table(path, many).values.tolist() == [["1", "x; y"]]


def test_rows_read_to_be_written_back_are_checked_as_a_table_is(tmp_path):
    path = _write(tmp_path, "id,kind\n1,a\n1,b\n")
    with pytest.raises(RawDataError, match="line 3, column 'id': duplicate '1'"):
        read_rows(path, DEMO)


def test_rows_can_be_indexed_by_their_line_in_the_file(tmp_path):
    frame = read_table(_write(tmp_path, 'id,kind\n1,a\n\n2,"b"\n'), DEMO, line_index=True)
    assert frame.index.tolist() == [2, 4]


def test_a_none_vocabulary_leaves_a_column_unchecked(tmp_path):
    path = _write(tmp_path, "id,kind\n1,z\n")
    with pytest.raises(RawDataError, match="'z' is not allowed"):
        read_table(path, DEMO)
    assert read_table(path, DEMO, allowed={"kind": None})["kind"].tolist() == ["z"]


def test_a_column_twice_in_the_header_is_an_error(tmp_path):
    path = _write(tmp_path, "id,kind,id\n1,a,2\n")
    with pytest.raises(RawDataError) as caught:
        read_table(path, DEMO, name="demo.csv")
    assert str(caught.value) == (
        "demo.csv, line 1, column 'id': appears twice in the header "
        "(fields 1 and 3); each column must appear once"
    )


def test_an_empty_file_says_which_header_was_expected(tmp_path):
    with pytest.raises(RawDataError, match="demo.csv: empty file; expected a header row: id, kind"):
        read_table(_write(tmp_path, ""), DEMO, name="demo.csv")


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(RawDataError, match="nope.csv: file not found"):
        read_table(tmp_path / "nope.csv", DEMO)


def test_a_field_over_the_csv_limit_is_located_at_its_record(tmp_path):
    long = "x" * (csv.field_size_limit() + 1)
    path = _write(tmp_path, f"id,kind\n1,a\n2,{long}\n")
    with pytest.raises(RawDataError) as caught:
        read_table(path, DEMO, name="demo.csv")
    assert caught.value.line == 3
    assert f"a field longer than {csv.field_size_limit():,} characters" in str(caught.value)


def test_a_quote_left_open_is_located_where_its_record_starts(tmp_path):
    path = _write(tmp_path, 'id,kind\n1,a\n2,"b\n3,a\n')
    with pytest.raises(RawDataError, match="line 3: a quoted field is not closed"):
        read_table(path, DEMO)


def test_a_stray_quote_inside_a_field_is_an_error(tmp_path):
    path = _write(tmp_path, 'id,kind\n1,"a"b\n')
    with pytest.raises(RawDataError, match=r"line 2: not valid CSV .*written twice"):
        read_table(path, DEMO)


def test_a_multi_line_quoted_field_keeps_the_next_records_line_right(tmp_path):
    path = _write(tmp_path, 'id,kind,note\n1,a,"two\nlines"\n2,c,x\n')
    with pytest.raises(RawDataError, match="line 4, column 'kind'"):
        read_table(path, DEMO)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"id,kind\n1,a\n2,\xe9\n", r"demo.csv, line 3: not UTF-8 text \(byte 0xe9 at column 3\)"),
        ("id,kind\n1,a\n".encode("utf-16"), "UTF-16 text, not UTF-8"),
        ("id,kind\n1,a\n".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        (b"id,kind\n1,\x00\n", r"line 2: binary data, not text \(byte 0x00 at column 3\)"),
    ],
)
def test_a_file_that_is_not_utf8_text_is_named_with_what_it_is(tmp_path, data, message):
    with pytest.raises(NotTextError, match=message):
        read_table(_write(tmp_path, data), DEMO, name="demo.csv")


def test_an_open_text_file_is_read_too():
    frame = read_table(io.StringIO("id,kind\n1,a\n"), DEMO, name="demo")
    assert frame["kind"].tolist() == ["a"]
