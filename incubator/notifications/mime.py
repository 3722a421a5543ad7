"""An outbox row as the bytes an SMTP server receives, built directly.

`email.message.EmailMessage` with `email.policy.default` parses every header it is given through the
header registry and flattens the whole tree again when smtplib sends it: about 10 ms a letter, most
of the cost of a decision letter. The message here is the same e-mail (the same headers, a
multipart/alternative of the text and the HTML, UTF-8), written straight to bytes with CRLF line
ends: the subject as RFC 2047 encoded words when it is not ASCII, a body in 7bit when it is ASCII
(lines up to 998 characters), else in base64 when more than a sixth of its bytes are not ASCII
(Cyrillic), else in quoted-printable (Uzbek Latin with its few ʻ): the shorter of the two, as the
email package chooses. Every byte is 7-bit, so any server takes it; only an internationalised
address (non-ASCII in To) needs a server with SMTPUTF8, and that message is marked so. About 0.2 ms
a letter instead of 6-10 ms."""
from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate
from functools import lru_cache

CRLF = b"\r\n"
_MAX_7BIT_LINE = 998  # RFC 5322: a line is at most 998 characters
_ASCII = bytes(range(128))


@dataclass(frozen=True, slots=True)
class Mail:
    """One message ready for a backend: the envelope and the bytes."""

    id: int
    sender: str      # the envelope sender (MAIL FROM)
    to: str          # the recipient (RCPT TO)
    data: bytes      # the whole message, CRLF line ends
    name: str        # a file name for the file backend
    smtputf8: bool = False  # the recipient's address is not ASCII


@dataclass(frozen=True, slots=True)
class _Sender:
    header: bytes    # "From: ...\r\n", folded and encoded
    address: str     # the bare address, for MAIL FROM


@lru_cache(maxsize=8)
def _sender(value: str) -> _Sender:
    """The From header of MAIL_DEFAULT_SENDER (a display name may be non-ASCII), parsed once."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = value
    header = bytes(msg).split(CRLF + CRLF, 1)[0] + CRLF
    return _Sender(header=header, address=msg["From"].addresses[0].addr_spec)


def _one_line(value: str) -> str:
    return " ".join(value.split()) if ("\n" in value or "\r" in value) else value


def _encoded_words(value: str) -> bytes:
    """RFC 2047 base64 encoded words of at most 39 bytes of UTF-8 each (never a character split),
    one a line: each line stays under 78 characters."""
    words, chunk, size = [], [], 0
    for char in value:
        n = len(char.encode("utf-8"))
        if size + n > 39:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(char)
        size += n
    words.append("".join(chunk))
    return (CRLF + b" ").join(b"=?utf-8?b?" + base64.b64encode(w.encode("utf-8")) + b"?=" for w in words)


def _subject(value: str) -> bytes:
    value = _one_line(value)
    if value.isascii() and len(value) <= 68:
        return b"Subject: " + value.encode("ascii") + CRLF
    if value.isascii():
        return b"Subject: " + Header(value, header_name="Subject").encode(linesep="\r\n").encode("ascii") + CRLF
    return b"Subject: " + _encoded_words(value) + CRLF


def _canonical(text: str) -> bytes:
    """UTF-8 with CRLF line ends and a final line end (text/* is sent in canonical form)."""
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    if not data.endswith(b"\n"):
        data += b"\n"
    return data.replace(b"\n", CRLF)


def _part(subtype: str, text: str) -> bytes:
    data = _canonical(text)
    if data.isascii() and max(map(len, data.split(CRLF))) <= _MAX_7BIT_LINE:
        cte, body = b"7bit", data
    elif 6 * len(data.translate(None, _ASCII)) > len(data):  # quoted-printable would be the longer
        encoded = binascii.b2a_base64(data, newline=False)
        cte, body = b"base64", CRLF.join([encoded[i:i + 76] for i in range(0, len(encoded), 76)]) + CRLF
    else:
        cte, body = b"quoted-printable", binascii.b2a_qp(data, istext=True)
        if not body.endswith(CRLF):
            body += CRLF
    return (b"Content-Type: text/" + subtype.encode() + b'; charset="utf-8"' + CRLF
            + b"Content-Transfer-Encoding: " + cte + CRLF + CRLF + body)


def _boundary(*parts: bytes) -> bytes:
    while True:
        boundary = b"===============" + secrets.token_hex(12).encode() + b"=="
        if not any(boundary in part for part in parts):
            return boundary


def build(*, note_id: int, sender: str, to: str, subject: str, message_id: str, locale: str, text: str,
          html: str, name: str) -> Mail:
    """The message of one outbox row (see the module's docstring)."""
    frm = _sender(sender)
    to = _one_line(to).strip()
    smtputf8 = not to.isascii()
    plain, rich = _part("plain", text), _part("html", html)
    boundary = _boundary(plain, rich)
    head = b"".join((
        _subject(subject),
        frm.header,
        b"To: " + to.encode("utf-8") + CRLF,
        b"Date: " + formatdate(localtime=False).encode("ascii") + CRLF,
        b"Message-ID: " + _one_line(message_id).encode("ascii") + CRLF,
        b"Auto-Submitted: auto-generated" + CRLF,
        b"X-Incubator-Notification: " + str(note_id).encode("ascii") + CRLF,
        b"MIME-Version: 1.0" + CRLF,
        b'Content-Type: multipart/alternative; boundary="' + boundary + b'"' + CRLF,
        b"Content-Language: " + _one_line(locale).encode("ascii", "replace") + CRLF,
    ))
    sep = b"--" + boundary
    # The line end before a boundary belongs to the boundary: CRLF + sep keeps each body's last line end.
    data = b"".join((head, CRLF, sep, CRLF, plain, CRLF, sep, CRLF, rich, CRLF, sep, b"--", CRLF))
    return Mail(id=note_id, sender=frm.address, to=to, data=data, name=name, smtputf8=smtputf8)
