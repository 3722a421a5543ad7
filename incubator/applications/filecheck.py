"""Is an upload really one of the kinds we accept? Decided by the content, never by the name.

Accepted: PDF, DOCX, XLSX, PPTX, PNG and JPEG. `check_file` returns what the content is, or raises
RuleViolation(field, message) saying why not:

* the content is something else (an HTML page or a script renamed .pdf, a program, a plain ZIP);
* the name says one kind and the content is another (a PNG named deck.pdf);
* a PDF that is not plainly a PDF (must start with `%PDF-`), runs JavaScript (`/JS`, `/JavaScript`,
  including inside compressed object streams and with `#xx`-escaped names), launches programs
  (`/Launch`), carries embedded files (`/EmbeddedFile`), or is encrypted (so it cannot be checked);
* an Office file (a ZIP) that is damaged or encrypted, has no `[Content_Types].xml` or no main part
  (`word/document.xml`, `xl/workbook.xml`, `ppt/presentation.xml`), holds macros (`vbaProject.bin`,
  a macro-enabled content type), or looks like a zip bomb: more than 2000 members, more than 200 MB
  unpacked, or a member (of more than 1 MB unpacked) that unpacks more than 100 times its size.

The file is read through a memory map when it is a real file, so a large upload is not copied
into memory.
"""
from __future__ import annotations

import io
import mmap
import re
import zipfile
import zlib
from contextlib import contextmanager
from typing import NamedTuple

import filetype
from flask_babel import lazy_gettext as _l

from incubator.core.errors import RuleViolation


class Detected(NamedTuple):
    kind: str        # "pdf", "docx", "xlsx", "pptx", "png", "jpeg"
    mime: str
    extension: str   # without the dot: the declared one when it fits the content, else the usual one


class Kind(NamedTuple):
    mime: str
    extensions: tuple[str, ...]
    label: object


KINDS: dict[str, Kind] = {
    "pdf": Kind("application/pdf", ("pdf",), _l("a PDF document")),
    "docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",),
                 _l("a Word document (DOCX)")),
    "xlsx": Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",),
                 _l("an Excel workbook (XLSX)")),
    "pptx": Kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",),
                 _l("a PowerPoint presentation (PPTX)")),
    "png": Kind("image/png", ("png",), _l("a PNG image")),
    "jpeg": Kind("image/jpeg", ("jpg", "jpeg"), _l("a JPEG image")),
}
EXTENSIONS = {ext: kind for kind, spec in KINDS.items() for ext in spec.extensions}
ACCEPT = ".pdf,.pptx,.docx,.xlsx,.png,.jpg,.jpeg"
ALLOWED_TEXT = "PDF, PPTX, DOCX, XLSX, PNG, JPEG"
MIMES = sorted({spec.mime for spec in KINDS.values()})

OOXML_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_UNPACKED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
RATIO_APPLIES_ABOVE = 1024 * 1024   # small, very repetitive XML parts may legitimately pack tighter
MAX_OBJECT_STREAMS_UNPACKED = 64 * 1024 * 1024

PDF_FORBIDDEN = {
    b"/JS": "javascript", b"/JavaScript": "javascript", b"/Launch": "launch",
    b"/EmbeddedFile": "embedded", b"/EmbeddedFiles": "embedded", b"/Encrypt": "encrypted",
}
PDF_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
PDF_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
# Inside a stream body (often compressed, binary) a short name like /JS turns up by chance: there it
# counts only when a value follows it the way it does in a dictionary.
PDF_JS_VALUE = re.compile(rb"\s*(?:\(|<|\d+\s+\d+\s+R)")

def declared_extension(filename: str | None) -> str:
    name = (filename or "").rsplit("/", 1)[-1]
    if "." not in name.strip("."):
        return ""
    return name.rsplit(".", 1)[-1].strip().lower()


def check_file(source, filename: str | None, *, field: str = "file") -> Detected:
    """What the file is, by its content; RuleViolation(field, why) when it is not acceptable.
    `source` is bytes or a binary file (positioned anywhere; it is read from the start)."""
    with _buffer(source) as data:
        if len(data) == 0:
            raise RuleViolation(field, _l("The file is empty."))
        name = filename or "file"
        declared = declared_extension(filename)
        kind = _sniff(data)
        if kind is None:
            _refuse_unknown(data, name, declared, field)
        if kind == "zip":
            kind = _check_ooxml(data, name, field)
        spec = KINDS[kind]
        if declared and declared not in spec.extensions:
            raise RuleViolation(field, _mismatch(name, declared, kind))
        if kind == "pdf":
            _check_pdf(data, name, field)
        elif kind == "png" and bytes(data[12:16]) != b"IHDR":
            raise RuleViolation(field, _l("“%(name)s” is a damaged PNG image: save it again and upload the copy.",
                                          name=name))
        return Detected(kind, spec.mime, declared or spec.extensions[0])


# --- Reading ---------------------------------------------------------------------------------------

@contextmanager
def _buffer(source):
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield bytes(source)
        return
    source.seek(0)
    try:
        fileno = source.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        fileno = None
    if fileno is not None:
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(0)
        if size == 0:
            yield b""
            return
        view = mmap.mmap(fileno, 0, access=mmap.ACCESS_READ)
        try:
            yield view
        finally:
            view.close()
            source.seek(0)
        return
    data = source.read()
    source.seek(0)
    yield data


def _sniff(data) -> str | None:
    head = bytes(data[:8192])
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


# --- Messages ---------------------------------------------------------------------------------------

def _describe_other(data) -> object:
    """What a refused file seems to be, in words a founder understands."""
    head = bytes(data[:4096])
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    markup = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<iframe", b"<?xml",
              b"<meta", b"<a ", b"<div", b"<form", b"<object", b"<embed")
    if text.startswith(markup) or b"<script" in text or b"javascript:" in text:
        return _l("HTML or script (a web page)")
    if text.startswith(b"#!"):
        return _l("a script")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _l("an old-format (.doc, .xls, .ppt) or password-protected Office file")
    if b"%PDF-" in head:
        return _l("a PDF with something else in front of it")
    guess = filetype.guess(head)
    if guess is not None:
        return _l("a file of type %(type)s (%(mime)s)", type=guess.extension.upper(), mime=guess.mime)
    try:
        head.decode("utf-8")
        if b"\x00" not in head:
            return _l("plain text")
    except UnicodeDecodeError:
        pass
    return _l("not a kind of file we recognise")


def _refuse_unknown(data, name: str, declared: str, field: str):
    what = _describe_other(data)
    if declared in EXTENSIONS:
        raise RuleViolation(field, _l(
            "“%(name)s” is named .%(ext)s, but its content is %(what)s, not %(expected)s. "
            "Accepted files: %(allowed)s.",
            name=name, ext=declared, what=what, expected=KINDS[EXTENSIONS[declared]].label, allowed=ALLOWED_TEXT))
    raise RuleViolation(field, _l("“%(name)s” is not an accepted file: its content is %(what)s. "
                                  "Accepted files: %(allowed)s.", name=name, what=what, allowed=ALLOWED_TEXT))


def _mismatch(name: str, declared: str, kind: str):
    return _l("“%(name)s” is named .%(ext)s, but its content is %(what)s. Rename it to .%(right)s, "
              "or upload the file you meant to send.",
              name=name, ext=declared, what=KINDS[kind].label, right=KINDS[kind].extensions[0])


# --- Office files (OOXML: ZIP archives with known parts) -------------------------------------------

def _check_ooxml(data, name: str, field: str) -> str:
    def refuse(message):
        raise RuleViolation(field, message)

    damaged = _l("“%(name)s” is damaged or is not a valid Office file: open it, save it again and upload "
                 "the copy.", name=name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else _MmapReader(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        refuse(damaged)
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            refuse(_l("“%(name)s” holds more than %(count)d parts: it looks like a zip bomb and was refused.",
                      name=name, count=MAX_ZIP_MEMBERS))
        if any(m.flag_bits & 0x1 for m in members):
            refuse(_l("“%(name)s” is password-protected or encrypted, so it cannot be checked: save it "
                      "without a password and upload it again.", name=name))
        if sum(m.file_size for m in members) > MAX_ZIP_UNPACKED:
            refuse(_l("“%(name)s” would unpack to more than %(mb)d MB: it looks like a zip bomb and was "
                      "refused.", name=name, mb=MAX_ZIP_UNPACKED // (1024 * 1024)))
        for m in members:
            if m.file_size > RATIO_APPLIES_ABOVE and m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1):
                refuse(_l("“%(name)s” contains a part that unpacks to more than %(ratio)d times its packed "
                          "size: it looks like a zip bomb and was refused.", name=name, ratio=MAX_ZIP_RATIO))
        names = {m.filename for m in members}
        if any(n.startswith("/") or "\\" in n or ".." in n.split("/") for n in names):
            refuse(damaged)
        if "[Content_Types].xml" not in names:
            refuse(_l("“%(name)s” is a ZIP archive, not a Word, Excel or PowerPoint file. Accepted files: "
                      "%(allowed)s.", name=name, allowed=ALLOWED_TEXT))
        try:
            with archive.open("[Content_Types].xml") as handle:
                content_types = handle.read(2 * 1024 * 1024)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
            refuse(damaged)
        if any(n.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for n in names) \
                or b"macroenabled" in content_types.lower():
            refuse(_l("“%(name)s” contains macros, which are not accepted: save it as a plain .docx, .xlsx "
                      "or .pptx file (without macros) and upload it again.", name=name))
        kinds = [kind for part, kind in OOXML_MAIN_PARTS.items() if part in names]
        if not kinds:
            refuse(_l("“%(name)s” is a ZIP archive without a document inside: it is not a Word, Excel or "
                      "PowerPoint file. Accepted files: %(allowed)s.", name=name, allowed=ALLOWED_TEXT))
        if len(kinds) > 1:
            refuse(damaged)
        try:
            if archive.testzip() is not None:
                refuse(damaged)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
            refuse(damaged)
        return kinds[0]


class _MmapReader(io.RawIOBase):
    """A seekable, read-only file over a memory map, for zipfile (which needs seek/tell/read)."""

    def __init__(self, view):
        self.view = view
        self.pos = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: len(self.view)}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def tell(self):
        return self.pos

    def readinto(self, buffer):
        chunk = self.view[self.pos:self.pos + len(buffer)]
        buffer[:len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


# --- PDF --------------------------------------------------------------------------------------------

def _decode_name(token: bytes) -> bytes:
    """PDF names may spell characters as #xx (/J#61vaScript is /JavaScript)."""
    if b"#" not in token:
        return token
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), token)


def _scan(data, start: int = 0, end: int | None = None, *, in_stream: bool = False) -> str | None:
    """The first forbidden name between start and end, as a reason ("javascript", ...), or None."""
    end = len(data) if end is None else end
    for match in PDF_NAME.finditer(data, start, end):
        name = _decode_name(match.group())
        reason = PDF_FORBIDDEN.get(name)
        if reason is None:
            continue
        if in_stream and (name == b"/Encrypt" or (name == b"/JS" and not PDF_JS_VALUE.match(data, match.end(), end))):
            continue
        return reason
    return None


def _check_pdf(data, name: str, field: str) -> None:
    messages = {
        "javascript": _l("“%(name)s” contains JavaScript, which is not accepted in a PDF: export or print it to "
                         "a new PDF without scripts and upload that.", name=name),
        "launch": _l("“%(name)s” contains an action that launches programs, which is not accepted in a PDF: "
                     "export or print it to a new PDF and upload that.", name=name),
        "embedded": _l("“%(name)s” has files embedded in it, which is not accepted in a PDF: attach each "
                       "document separately, or export it to a new PDF without attachments.", name=name),
        "encrypted": _l("“%(name)s” is password-protected or encrypted, so it cannot be checked: save it "
                        "without a password and upload it again.", name=name),
        "unreadable": _l("“%(name)s” has compressed parts that cannot be checked: export or print it to a new "
                         "PDF and upload that.", name=name),
    }
    problem = _pdf_problem(data)
    if problem:
        raise RuleViolation(field, messages[problem])


def _pdf_problem(data) -> str | None:
    """Dictionaries (everything outside stream bodies) and object streams get the full check; other
    stream bodies only the check that random bytes cannot trip."""
    pos, end, unpacked = 0, len(data), 0
    while pos < end:
        match = PDF_STREAM.search(data, pos)
        problem = _scan(data, pos, match.end() if match else end)
        if problem or match is None:
            return problem
        body_start = match.end()
        body_end = data.find(b"endstream", body_start)
        body_end = end if body_end < 0 else body_end
        problem = _scan(data, body_start, body_end, in_stream=True)
        if problem:
            return problem
        dictionary = _stream_dictionary(data, pos, match.end())
        if b"/ObjStm" in dictionary:
            if dictionary & {b"/ASCIIHexDecode", b"/ASCII85Decode", b"/LZWDecode", b"/RunLengthDecode", b"/Crypt",
                             b"/AHx", b"/A85", b"/LZW", b"/RL"}:
                return "unreadable"
            body = bytes(data[body_start:body_end])
            if dictionary & {b"/FlateDecode", b"/Fl"}:
                try:
                    body = zlib.decompressobj().decompress(body, MAX_OBJECT_STREAMS_UNPACKED - unpacked + 1)
                except zlib.error:
                    return "unreadable"
            unpacked += len(body)
            if unpacked > MAX_OBJECT_STREAMS_UNPACKED:
                return "unreadable"
            problem = _scan(body)
            if problem:
                return problem
        pos = body_end + len(b"endstream")
    return None


def _stream_dictionary(data, region_start: int, stream_at: int) -> set[bytes]:
    """The names in the dictionary of the stream that starts at `stream_at` (from its `obj` keyword)."""
    window = bytes(data[max(region_start, stream_at - 4096):stream_at])
    obj = window.rfind(b"obj")
    part = window[obj + 3:] if obj >= 0 else window
    return {_decode_name(m.group()) for m in PDF_NAME.finditer(part)}
