"""Reading input files as UTF-8 text: every way a file can fail to be text, located."""

import codecs

import pytest

from litkit.errors import NotTextError, RawDataError
from litkit.textfile import display_name, iter_text, read_text


def test_utf8_text_is_read_and_its_byte_order_mark_dropped(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF8 + "café\n".encode())
    assert read_text(path) == "café\n"


def test_a_stray_byte_is_located_by_line_and_column(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_bytes(b"id,claim\n1,ok\n2,d\xc3\xa9j\xc3\xa0 vu \xff here\n")
    with pytest.raises(NotTextError) as caught:
        read_text(path, label="data/raw/claims.csv")
    assert str(caught.value) == (
        "data/raw/claims.csv, line 3: not UTF-8 text (byte 0xff at "
        "column 11); save the file as UTF-8"
    )
    assert caught.value.line == 3


def test_a_bad_byte_far_into_a_large_file_is_located(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 99 + b"\n" + ("\u00e9" * 40 + "\n").encode() * 5000 + b"ab\x80\n")
    with pytest.raises(NotTextError, match=r"line 5002: not UTF-8 text \(byte 0x80 at column 3\)"):
        read_text(path)


def test_a_character_cut_by_a_chunk_boundary_is_read_whole(tmp_path):
    path = tmp_path / "a.txt"
    text = "é€😀 line\n" * 50
    path.write_text(text, encoding="utf-8")
    pieces = list(iter_text(path, chunk_bytes=3))
    assert "".join(pieces) == text and len(pieces) > 50


def test_a_byte_sequence_cut_at_the_end_of_the_file_is_not_utf8(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"ok\nabc\xe2\x82")
    with pytest.raises(NotTextError, match=r"line 2: not UTF-8 text \(byte 0xe2 at column 4\)"):
        read_text(path)


@pytest.mark.parametrize(
    "encoding, mark", [("utf-16", "0xff 0xfe"), ("utf-16-be", None), ("utf-16-le", None)]
)
def test_utf16_is_named_as_such(tmp_path, encoding, mark):
    path = tmp_path / "a.csv"
    data = "id,claim\n1,ok\n".encode(encoding)
    path.write_bytes(codecs.BOM_UTF16_BE + data if encoding == "utf-16-be" and mark else data)
    with pytest.raises(NotTextError) as caught:
        read_text(path)
    message = str(caught.value)
    assert "UTF-16 text" in message and "save the file as UTF-8" in message
    assert (mark in message) if mark else "without a byte-order mark" in message


def test_binary_data_is_named_as_such_at_its_first_zero_byte(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"%PDF-1.7\nabc\x00\x01\x02" + bytes(range(256)))
    with pytest.raises(
        NotTextError, match=r"line 2: binary data, not text \(byte 0x00 at column 4\)"
    ):
        read_text(path)


def test_a_zero_byte_in_a_later_chunk_is_found(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"line\n" * 1000 + b"a\x00b\n")
    with pytest.raises(NotTextError, match="line 1001: binary data"):
        list(iter_text(path, chunk_bytes=64))


def test_a_missing_file_or_a_folder_is_a_raw_data_error(tmp_path):
    with pytest.raises(RawDataError, match="nope.txt: file not found"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(RawDataError, match="a folder, not a file"):
        read_text(tmp_path)


def test_a_file_under_the_working_folder_is_named_relative_to_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_name(tmp_path / "data" / "raw" / "a.csv") == "data/raw/a.csv"
    assert display_name("/elsewhere/a.csv") == "/elsewhere/a.csv"
