"""Database URLs as they may be shown to people: never with the password."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

_HIDDEN = "***"


def redact_dsn(dsn: str) -> str:
    """The URL with any password, in the user part or the query, replaced by ***."""
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return f"{dsn.split(':', 1)[0]}://{_HIDDEN}" if "://" in dsn else _HIDDEN
    netloc = parts.netloc
    if not netloc and "@" not in dsn and "password" not in parts.query.lower():
        return dsn  # sqlite:///okebot.db holds no secret; urlunsplit would shorten it to sqlite:/okebot.db
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:{_HIDDEN}@{host}"
    query = [(k, _HIDDEN if k.lower() == "password" else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment))


def scrub(text: str, dsn: str) -> str:
    """The text with every password the URL holds (raw or percent-decoded) replaced by ***."""
    for secret in _passwords(dsn):
        text = text.replace(secret, _HIDDEN)
    return text


def _passwords(dsn: str) -> set[str]:
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return set()
    found = {v for k, v in parse_qsl(parts.query, True) if k.lower() == "password" and v}
    userinfo = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
    if ":" in userinfo:
        raw = userinfo.split(":", 1)[1]
        found |= {raw, unquote(raw)} - {""}
    return found
