"""Keep passwords out of everything printed: storage URLs and messages that quote them.

>>> redact_url("postgresql://app:hunter2@db.example/tc")
'postgresql://app:***@db.example/tc'
>>> redact_url("sqlite:///teknikcollege.db")
'sqlite:///teknikcollege.db'

Redaction errs on the side of hiding: a URL that cannot be parsed but holds something
shaped like ``user:password@`` loses everything between the first ``:`` of the user part
and the last ``@``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["MASK", "redact_text", "redact_url", "url_password"]

MASK = "***"
"""What a password is replaced with."""

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# A URL-shaped run of text with a user part and a password, as it may appear inside a
# message (quoted by repr, or followed by a space or punctuation).
_IN_TEXT = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*:(?://)?[^\s:/@'\"]*:)[^\s'\"]*@")


def _split(url: str) -> tuple[str, str, str] | None:
    """``(before, password, after)`` if `url` holds a password, else ``None``."""
    if "@" not in url:
        return None
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        # urlsplit keeps the authority verbatim (only the scheme is lowercased), so it
        # can be found again in the original text.
        start = url.find("//" + netloc) + 2 if netloc else -1
    except ValueError:  # for example an unbalanced '[' of an IPv6 host
        netloc, start = "", -1
    if start >= 2 and "@" in netloc:
        userinfo = netloc.rpartition("@")[0]
        user, colon, _ = userinfo.partition(":")
        # '@' after the authority (a '/' inside the password ends urlsplit's netloc
        # early) means the split cannot be trusted: fall back to the loose rule.
        if colon and "@" not in url[start + len(netloc) :]:
            pw_start = start + len(user) + 1
            return (
                url[:pw_start],
                url[pw_start : start + len(userinfo)],
                url[start + len(userinfo) :],
            )
    return _loose(url)


def _loose(url: str) -> tuple[str, str, str] | None:
    at = url.rfind("@")
    head, sep, rest = url[:at].partition("//")
    if sep:
        base, authority = len(head) + 2, rest
        colon = authority.find(":")
        if colon < 0:
            return None
        return url[: base + colon + 1], authority[colon + 1 :], url[at:]
    scheme = _SCHEME.match(url)
    base = scheme.end() if scheme else 0
    authority = url[base:at]
    colon = authority.find(":")
    if colon >= 0:
        cut = base + colon + 1
        return url[:cut], url[cut:at], url[at:]
    if scheme:  # "user:password@host" without "//": what looked like a scheme is the user
        return url[:base], authority, url[at:]
    return None


def redact_url(url: str) -> str:
    """`url` with its password (if any) replaced by ``***``; never raises.

    >>> redact_url("postgres://app:p@ss/word@host:5432/db?sslmode=require")
    'postgres://app:***@host:5432/db?sslmode=require'
    >>> redact_url("sqlite://user:pw@[broken")
    'sqlite://user:***@[broken'
    """
    found = _split(url)
    if found is None:
        return url
    before, password, after = found
    return f"{before}{MASK}{after}" if password else url


def url_password(url: str) -> str:
    """The password in `url` as written (``""`` if none), found as :func:`redact_url` does."""
    found = _split(url)
    return found[1] if found else ""


def redact_text(text: str, *urls: str) -> str:
    """`text` with every URL of `urls` (verbatim, as repr, or its password alone) and
    every ``scheme://user:password@`` in it redacted.

    >>> redact_text("cannot open 'postgres://a:s3cret@h/db'", "postgres://a:s3cret@h/db")
    "cannot open 'postgres://a:***@h/db'"
    """
    for url in urls:
        if not url:
            continue
        safe = redact_url(url)
        if safe == url:
            continue
        text = text.replace(repr(url), repr(safe)).replace(url, safe)
        password = url_password(url)
        # A short password would mask ordinary words; one that short is no secret.
        if len(password) >= 4:
            text = text.replace(password, MASK)
    return _IN_TEXT.sub(lambda m: f"{m['head']}{MASK}@", text)
