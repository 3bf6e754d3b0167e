"""Encoding and delimiter detection on Polish and Ukrainian text."""

from __future__ import annotations

import io

import pytest

from dialer.lists.encoding import detect_encoding
from dialer.lists.reader import UnreadableFile, detect_delimiter, open_csv

POLISH = (
    "account_id;first_name;last_name;balance;phone1\n"
    "PL1;Łukasz;Wójcik;10;501234567\n"
    "PL2;Zofia;Dąbrowska;10;601234567\n"
    "PL3;Świętosław;Żółkiewski;10;721234567\n"
    "PL4;Źdźisław;Ćwikliński;10;881234567\n"
)
UKRAINIAN = (
    "account_id;first_name;last_name;balance;phone1\n"
    "UA1;Петро;Шевченко;10;+380671234567\n"
    "UA2;Олена;Коваленко;10;+380501234567\n"
    "UA3;Ірина;Їжакевич;10;+380631234567\n"
    "UA4;Ґанна;Євтушенко;10;+380971234567\n"
)


@pytest.mark.parametrize("encoding", ["cp1250", "iso8859_2", "utf-8", "utf-8-sig"])
def test_polish_text_is_recognised(encoding: str) -> None:
    data = POLISH.encode(encoding)
    assert data.decode(detect_encoding(data)) == POLISH


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_u", "utf-8", "utf-8-sig"])
def test_ukrainian_text_is_recognised(encoding: str) -> None:
    data = UKRAINIAN.encode(encoding)
    assert data.decode(detect_encoding(data)) == UKRAINIAN


@pytest.mark.parametrize(
    ("line", "encoding"),
    [("A;Dąbrowski\n", "cp1250"), ("A;Łódź\n", "iso8859_2"), ("A;Петро\n", "cp1251"),
     ("A;Ірина\n", "koi8_u")],
)  # fmt: skip
def test_even_one_word_is_enough(line: str, encoding: str) -> None:
    data = line.encode(encoding)
    assert data.decode(detect_encoding(data)) == line


def test_utf8_is_preferred_when_it_decodes() -> None:
    assert detect_encoding("zażółć gęślą jaźń".encode()) == "utf-8"
    assert detect_encoding(b"plain ascii") == "utf-8"


def test_a_utf8_character_cut_at_the_end_of_the_sample_is_still_utf8() -> None:
    data = "ąę".encode()[:-1]
    assert detect_encoding(data, complete=False) == "utf-8"


@pytest.mark.parametrize(("delimiter"), [",", ";", "\t"])
def test_delimiter_from_the_header(delimiter: str) -> None:
    header = delimiter.join(["account_id", "first_name", "balance", "phone1", "comments"])
    assert detect_delimiter(header + "\nA,B;C\n") == delimiter


def test_stream_that_cannot_seek_is_read_whole() -> None:
    class OneWay(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
            chunk = self.inner.read(min(len(buffer), 7))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    with open_csv(io.BufferedReader(OneWay(UKRAINIAN.encode("cp1251")))) as source:
        rows = list(source.rows())
    assert source.encoding == "cp1251"
    assert source.delimiter == ";"
    assert [line for line, _cells, _error in rows] == [2, 3, 4, 5]
    assert rows[2][1][1] == "Ірина"


def test_line_numbers_count_physical_lines() -> None:
    data = b'account_id,comments\nA1,"two\nlines"\n\nA2,x\n'
    with open_csv(io.BytesIO(data)) as source:
        assert list(source.rows()) == [(2, ["A1", "two\nlines"], None), (5, ["A2", "x"], None)]


def test_a_record_the_csv_module_refuses_is_reported_and_reading_goes_on() -> None:
    data = b"account_id,comments\nA1,ok\nA2," + b"x" * (1 << 21) + b"\nA3,ok\n"
    with open_csv(io.BytesIO(data)) as source:
        rows = list(source.rows())
    assert [(line, error is None) for line, _cells, error in rows] == [
        (2, True),
        (3, False),
        (4, True),
    ]
    assert "field larger than field limit" in str(rows[1][2])


def test_binary_and_empty_files_are_refused() -> None:
    with pytest.raises(UnreadableFile, match="empty"):
        open_csv(io.BytesIO(b"  \n"))
    with pytest.raises(UnreadableFile, match="not a text file"):
        open_csv(io.BytesIO(b"PK\x03\x04\x00\x00binary"))
