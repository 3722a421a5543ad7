"""Content checks for uploads: real sample files built here, accepted or refused with the reason."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import cache

import pytest

from incubator.applications.attachments import sanitise_filename
from incubator.applications.filecheck import check_file
from incubator.core.errors import RuleViolation

# --- Sample files ---------------------------------------------------------------------------------


def make_pdf(*, catalog_extra: bytes = b"", objects: tuple[bytes, ...] = (), trailer_extra: bytes = b"",
             pad_to: int | None = None) -> bytes:
    """A small, valid PDF (one empty page), with correct xref offsets. `objects` are extra bodies,
    numbered from 4; `pad_to` adds a comment so the file is exactly that many bytes."""
    bodies = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
              b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>", *objects]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(bodies) + 1) + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    if pad_to is not None:
        filler = pad_to - len(out) - 2
        assert filler >= 0
        out += b"%" + b"0" * filler + b"\n"
    return bytes(out)


def stream_object(body: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< /Length %d " % len(body) + dictionary + b">>\nstream\n" + body + b"\nendstream"


def object_stream(*inner: bytes) -> bytes:
    """A compressed object stream (/Type /ObjStm) holding `inner` objects numbered 100, 101, ..."""
    offsets, data = [], b""
    for body in inner:
        offsets.append(len(data))
        data += body + b"\n"
    header = b" ".join(b"%d %d" % (100 + i, off) for i, off in enumerate(offsets)) + b"\n"
    packed = zlib.compress(header + data)
    return stream_object(packed, b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode " % (len(inner), len(header)))


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


def make_ooxml(kind: str, *, extra: dict[str, bytes] | None = None, content_type: str | None = None,
               without: tuple[str, ...] = ()) -> bytes:
    """A real Office Open XML package: [Content_Types].xml, _rels/.rels and the main part."""
    main = MAIN_PARTS[kind]
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main}" ContentType="{content_type or CONTENT_TYPES[kind]}"/></Types>'
        ).encode(),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{main}"/></Relationships>'
        ).encode(),
        main: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><root>Agro Vision: pitch</root>',
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name not in without:
                archive.writestr(name, data)
    return buffer.getvalue()


@cache
def zip_bomb() -> bytes:
    """A .docx-shaped ZIP whose main part unpacks to 300 MB of zeros (about 300 KB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            megabyte = bytes(1024 * 1024)
            for _ in range(300):
                member.write(megabyte)
    return buffer.getvalue()


def make_png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_jpeg() -> bytes:
    """SOI, a JFIF APP0 segment, EOI: the magic the content check reads."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


HTML_PAGE = b"<!DOCTYPE html>\n<html><body><script>fetch('/api/v1/me')</script></body></html>\n"
JS_PDF = make_pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> ")


def refusal(data, name: str) -> str:
    with pytest.raises(RuleViolation) as caught:
        check_file(data, name)
    assert list(caught.value.errors) == ["file"]
    return caught.value.errors["file"][0]


# --- Accepted --------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, name, kind, mime, extension", [
    (make_pdf(), "deck.pdf", "pdf", "application/pdf", "pdf"),
    (make_ooxml("docx"), "plan.docx", "docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    (make_ooxml("xlsx"), "model.xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "xlsx"),
    (make_ooxml("pptx"), "Deck.PPTX", "pptx",
     "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    (make_png(), "team.png", "png", "image/png", "png"),
    (make_jpeg(), "team.jpg", "jpeg", "image/jpeg", "jpg"),
    (make_jpeg(), "team.jpeg", "jpeg", "image/jpeg", "jpeg"),
    (make_pdf(), "deck", "pdf", "application/pdf", "pdf"),
])
def test_accepted_kinds_are_detected_by_content(app, data, name, kind, mime, extension):
    assert tuple(check_file(data, name)) == (kind, mime, extension)


def test_a_real_file_on_disk_is_checked_through_a_memory_map(app, tmp_path):
    for data, name, kind in [(make_pdf(), "deck.pdf", "pdf"), (make_ooxml("pptx"), "deck.pptx", "pptx"),
                             (JS_PDF, "deck.pdf", None), (zip_bomb(), "plan.docx", None)]:
        path = tmp_path / name
        path.write_bytes(data)
        with open(path, "rb") as handle:
            handle.seek(7)  # the check reads from the start, wherever the file is positioned
            if kind is None:
                with pytest.raises(RuleViolation):
                    check_file(handle, name)
            else:
                assert check_file(handle, name).kind == kind
            assert handle.tell() == 0


def test_binary_stream_bytes_that_happen_to_read_js_do_not_refuse_a_pdf(app):
    noise = stream_object(b"\x8f\x01/JS\x02\x9c/JSX\xff" + bytes(range(256)))
    assert check_file(make_pdf(objects=(noise,)), "deck.pdf").kind == "pdf"


# --- Refused: the content is not what the name says -----------------------------------------------

def test_html_renamed_pdf_is_refused(app):
    assert refusal(HTML_PAGE, "deck.pdf") == (
        "“deck.pdf” is named .pdf, but its content is HTML or script (a web page), not a PDF document. "
        "Accepted files: PDF, PPTX, DOCX, XLSX, PNG, JPEG.")


def test_script_and_program_renamed_are_refused(app):
    assert "its content is a script, not a Word document (DOCX)" in refusal(b"#!/bin/sh\nrm -rf /\n", "plan.docx")
    assert "its content is a file of type EXE (application/x-msdownload)" in refusal(b"MZ" + bytes(200), "deck.pdf")
    assert "its content is plain text, not a PDF document" in refusal(b"just some notes\n", "notes.pdf")


def test_png_named_pdf_is_refused_with_the_reason(app):
    assert refusal(make_png(), "deck.pdf") == (
        "“deck.pdf” is named .pdf, but its content is a PNG image. Rename it to .png, or upload the file you "
        "meant to send.")


def test_docx_named_xlsx_and_pdf_named_docx_are_refused(app):
    assert "is named .xlsx, but its content is a Word document (DOCX)" in refusal(make_ooxml("docx"), "model.xlsx")
    assert "is named .docx, but its content is a PDF document" in refusal(make_pdf(), "plan.docx")


def test_unaccepted_extension_with_unaccepted_content_names_both(app):
    assert refusal(b"GIF89a" + bytes(40), "logo.gif") == (
        "“logo.gif” is not an accepted file: its content is a file of type GIF (image/gif). "
        "Accepted files: PDF, PPTX, DOCX, XLSX, PNG, JPEG.")


def test_pdf_must_start_with_the_pdf_header(app):
    assert "its content is a PDF with something else in front of it" in refusal(b"junk\n" + make_pdf(), "deck.pdf")


def test_old_office_files_are_refused_with_advice(app):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert "an old-format (.doc, .xls, .ppt) or password-protected Office file" in refusal(ole, "plan.docx")


def test_empty_file_is_refused(app):
    assert refusal(b"", "deck.pdf") == "The file is empty."


# --- Refused: PDFs that run things ------------------------------------------------------------------

JS_MESSAGE = ("“deck.pdf” contains JavaScript, which is not accepted in a PDF: export or print it to a new PDF "
              "without scripts and upload that.")


@pytest.mark.parametrize("data", [
    JS_PDF,
    make_pdf(catalog_extra=b"/Names << /JavaScript 4 0 R >> ", objects=(b"<< /Names [(a) 5 0 R] >>",)),
    make_pdf(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> "),
    make_pdf(objects=(object_stream(b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"),)),
    make_pdf(objects=(stream_object(b"garbage >>stream\n<< /S /JS (x) >>"),)),
], ids=["open-action", "names-tree", "hex-escaped-names", "inside-object-stream", "inside-a-stream-body"])
def test_pdf_with_javascript_is_refused(app, data):
    assert refusal(data, "deck.pdf") == JS_MESSAGE


def test_pdf_that_launches_programs_or_embeds_files_or_is_encrypted_is_refused(app):
    launch = make_pdf(catalog_extra=b"/OpenAction << /S /Launch /F (cmd.exe) >> ")
    assert "contains an action that launches programs" in refusal(launch, "deck.pdf")
    embedded = make_pdf(catalog_extra=b"/Names << /EmbeddedFiles 4 0 R >> ", objects=(b"<< /Names [] >>",))
    assert "has files embedded in it" in refusal(embedded, "deck.pdf")
    encrypted = make_pdf(trailer_extra=b"/Encrypt 4 0 R ", objects=(b"<< /Filter /Standard /V 2 >>",))
    assert "is password-protected or encrypted, so it cannot be checked" in refusal(encrypted, "deck.pdf")


# --- Refused: Office files that are not plain documents ---------------------------------------------

def test_zip_bomb_renamed_docx_is_refused(app):
    assert refusal(zip_bomb(), "plan.docx") == (
        "“plan.docx” would unpack to more than 200 MB: it looks like a zip bomb and was refused.")


def test_a_part_that_unpacks_far_beyond_its_size_is_refused(app):
    data = make_ooxml("docx", extra={"word/media/blank.bin": bytes(2 * 1024 * 1024)})
    assert refusal(data, "plan.docx") == (
        "“plan.docx” contains a part that unpacks to more than 100 times its packed size: it looks like a zip "
        "bomb and was refused.")


def test_too_many_members_is_refused(app):
    extra = {f"word/media/p{i}.xml": b"<p/>" for i in range(2000)}
    assert "holds more than 2000 parts" in refusal(make_ooxml("docx", extra=extra), "plan.docx")


def test_macros_are_refused(app):
    with_vba = make_ooxml("docx", extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    message = refusal(with_vba, "plan.docx")
    assert message.startswith("“plan.docx” contains macros, which are not accepted")
    macro_type = make_ooxml("xlsx", content_type="application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    assert "contains macros" in refusal(macro_type, "model.xlsx")


def test_encrypted_damaged_and_plain_zips_are_refused(app):
    encrypted = bytearray(make_ooxml("docx"))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local and central headers
        at = encrypted.find(signature)
        while at >= 0:
            encrypted[at + flags_at] |= 0x1  # general purpose flag bit 0: "encrypted"
            at = encrypted.find(signature, at + 4)
    assert "is password-protected or encrypted" in refusal(bytes(encrypted), "plan.docx")

    assert refusal(b"PK\x03\x04" + b"\x00" * 100, "plan.docx") == (
        "“plan.docx” is damaged or is not a valid Office file: open it, save it again and upload the copy.")

    truncated = make_ooxml("docx")
    assert "is damaged" in refusal(truncated[: len(truncated) // 2], "plan.docx")

    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("notes.txt", b"hello")
    assert refusal(plain.getvalue(), "plan.docx") == (
        "“plan.docx” is a ZIP archive, not a Word, Excel or PowerPoint file. Accepted files: "
        "PDF, PPTX, DOCX, XLSX, PNG, JPEG.")
    no_main = make_ooxml("docx", without=("word/document.xml",))
    assert "is a ZIP archive without a document inside" in refusal(no_main, "plan.docx")


def test_zip_with_corrupted_member_is_refused(app):
    data = bytearray(make_ooxml("docx"))
    main = data.find(b"word/document.xml") + len(b"word/document.xml")  # the local header's name
    data[main + 5] ^= 0xFF  # flip a byte of the compressed data: the CRC no longer matches
    assert "is damaged" in refusal(bytes(data), "plan.docx")


# --- Names -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, extension, clean", [
    ("../../etc/passwd", "pdf", "passwd.pdf"),
    ("..\\..\\windows\\evil.pdf", "pdf", "evil.pdf"),
    ("C:\\Users\\aziz\\Desktop\\Deck.PDF", "pdf", "Deck.pdf"),
    ("pitch\x00deck.pdf", "pdf", "pitchdeck.pdf"),
    ("bad\x07\x1b[31mname\u202egpj.pdf", "pdf", "bad[31mnamegpj.pdf"),
    ("  Питч   дек\t2026 .pdf", "pdf", "Питч дек 2026.pdf"),
    ("Oʻzbekiston «Agro».docx", "docx", "Oʻzbekiston «Agro».docx"),
    ('a<b>:c"d|e?f*.pdf', "pdf", "a_b__c_d_e_f_.pdf"),
    ("", "pdf", "file.pdf"),
    ("../", "png", "file.png"),
    ("...pdf", "pdf", "pdf.pdf"),
    (".pdf", "pdf", "pdf.pdf"),
    ("deck", "pptx", "deck.pptx"),
])
def test_file_names_are_sanitised_for_display(raw, extension, clean):
    assert sanitise_filename(raw, extension) == clean


def test_long_names_are_cut_to_150_characters_keeping_the_extension():
    name = sanitise_filename("д" * 300 + ".pdf", "pdf")
    assert len(name) == 150 and name == "д" * 146 + ".pdf"
