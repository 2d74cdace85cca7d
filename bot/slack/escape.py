"""mrkdwn escaping: `&`, `<` and `>` are Slack's control characters, so every OCI- or user-derived string
goes through `escape` before it lands in mrkdwn; otherwise `<!channel>`, `<@U…>` or `<http://x|ok>` in a
cluster name or a plan would render as a real mention or link.
"""

from __future__ import annotations

_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


def escape(text: object) -> str:
    """Escape &, < and > (and nothing else) so the text renders literally in mrkdwn."""
    out = str(text)
    for raw, entity in _ESCAPES:
        out = out.replace(raw, entity)
    return out


def code(text: object) -> str:
    """Escape, then show as inline code; backticks inside would end the code span, so they become quotes."""
    return "`" + escape(text).replace("`", "'") + "`"


def unescape(text: str) -> str:
    """Undo Slack's entity encoding of message text (the reverse of `escape`)."""
    out = text
    for raw, entity in reversed(_ESCAPES):
        out = out.replace(entity, raw)
    return out


def plain(text: object, *, limit: int) -> str:
    """Text for a plain_text object: no escaping needed, but cut to Slack's length limit."""
    value = str(text)
    return value if len(value) <= limit else value[: limit - 1] + "…"
