"""Open a CSV file or upload stream: detect encoding and delimiter, stream rows with line numbers.

Only a sample is held in memory; rows are read one by one from a text wrapper, so a
large file costs no more memory than a small one. Bytes that do not decode become U+FFFD
and the row is rejected later rather than stopping the whole import half-way.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, TextIO, cast

from dialer.lists.columns import known_column_count
from dialer.lists.encoding import detect_encoding
from dialer.lists.report import ListFileError

DELIMITERS = (",", ";", "\t")
_SAMPLE_BYTES = 1 << 20
_MAX_SAMPLE_BYTES = 8 << 20
_WANTED_NON_ASCII = 4096  # enough accented bytes to tell code pages apart
csv.field_size_limit(1 << 20)


class UnreadableFile(ListFileError):
    """The file cannot be opened or is not a CSV file we can read."""


class _PrefixedStream(io.RawIOBase):
    """Replays the already-read sample, then the rest of a non-seekable stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
        else:
            data = self._rest.read(len(buffer))
            size = len(data)
            buffer[:size] = data
        self.position += size
        return size

    def tell(self) -> int:
        return self.position


@dataclass
class CsvSource:
    encoding: str
    delimiter: str
    header: list[str]
    total_bytes: int | None  # None for streams of unknown size
    estimated_rows: int | None  # from the size and the first megabyte's lines
    _binary: BinaryIO | _PrefixedStream
    _text: TextIO
    _reader: Iterator[list[str]]
    _line: int = 1

    def rows(self) -> Iterator[tuple[int, list[str], str | None]]:
        """(line where the record starts, cells, None), or (line, [], why) for a record the
        csv module cannot read (a NUL byte, a giant field); blank lines are skipped."""
        reader = self._reader
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start = self._line + 1
                self._line = reader.line_num  # type: ignore[attr-defined]
                yield start, [], f"malformed CSV record: {exc}"
                continue
            start = self._line + 1
            self._line = reader.line_num  # type: ignore[attr-defined]
            if "".join(cells).strip():  # not a blank line or one of empty cells
                yield start, cells, None

    def bytes_read(self) -> int:
        return self._binary.tell()

    def close(self) -> None:
        self._text.close()

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _read_sample(binary: BinaryIO) -> tuple[bytes, bool]:
    """The first bytes (more if they are all ASCII) and whether that was the whole file."""
    chunks: list[bytes] = []
    size = 0
    non_ascii = 0
    while size < _MAX_SAMPLE_BYTES:
        chunk = binary.read(_SAMPLE_BYTES)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
        non_ascii += len(chunk) - len(chunk.translate(None, bytes(range(128, 256))))
        if non_ascii >= _WANTED_NON_ASCII:
            break
    return b"".join(chunks), False


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the header into the most known column names."""
    first_line = text.splitlines()[0] if text else ""

    def score(delimiter: str) -> tuple[int, int]:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        return known_column_count(header), len(header)

    return max(DELIMITERS, key=score)


def open_csv(source: str | os.PathLike[str] | BinaryIO, encoding: str | None = None) -> CsvSource:
    """Open `source`, detect its encoding (unless given) and delimiter, and read the header."""
    if isinstance(source, str | os.PathLike):
        try:
            binary: BinaryIO = Path(source).open("rb")  # noqa: SIM115 - closed by CsvSource
        except OSError as exc:
            raise UnreadableFile(f"cannot open {source}: {exc.strerror}") from None
    else:
        binary = source
    try:
        return _open_binary(binary, encoding)
    except BaseException:
        binary.close()
        raise


def _total_size(binary: BinaryIO) -> int | None:
    try:
        return os.fstat(binary.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        pass
    try:
        here = binary.tell()
        end = binary.seek(0, io.SEEK_END)
        binary.seek(here)
        return end
    except (OSError, io.UnsupportedOperation):
        return None


def _open_binary(binary: BinaryIO, encoding: str | None) -> CsvSource:
    total = _total_size(binary) if binary.seekable() else None
    try:
        sample, complete = _read_sample(binary)
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file: {exc}") from None
    if not sample.strip():
        raise UnreadableFile("the file is empty")
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile("this is not a text file (CSV expected; save as CSV, not XLSX)")
    chosen = encoding or detect_encoding(sample, complete)
    try:
        text_sample = sample.decode(chosen, errors="replace")
    except LookupError:
        raise UnreadableFile(f"unknown encoding {chosen!r}") from None
    delimiter = detect_delimiter(text_sample.lstrip("\ufeff"))
    if binary.seekable():
        binary.seek(0)
        raw: BinaryIO | _PrefixedStream = binary
        buffered = cast(IO[bytes], binary)
    else:
        raw = _PrefixedStream(sample, binary)
        buffered = cast(IO[bytes], io.BufferedReader(raw))
    # errors="replace": a bad byte rejects its row (U+FFFD) instead of the whole import.
    text = io.TextIOWrapper(buffered, encoding=chosen, errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise UnreadableFile("the file has no header row")
    header[0] = header[0].lstrip("\ufeff")
    return CsvSource(
        encoding=chosen,
        delimiter=delimiter,
        header=header,
        total_bytes=total,
        estimated_rows=None if total is None else total * sample.count(b"\n") // len(sample),
        _binary=raw,
        _text=text,
        _reader=reader,
        _line=reader.line_num,
    )
