"""Words for counts, so no message says "node(s)": `plural(1, "node")` is "1 node", `plural(4, "node")`
"4 nodes"; `noun(n, "subnet")` is the word alone ("subnet" or "subnets"). `sentence(text)` ends a sentence
once, wherever messages are joined, so "did you mean Europe/Berlin?" is never followed by another stop."""

from __future__ import annotations


def noun(count: int, singular: str, many: str | None = None) -> str:
    """The noun for `count` things: singular for exactly one, else the plural (`many`, or singular + "s")."""
    return singular if count == 1 else (many or f"{singular}s")


def plural(count: int, singular: str, many: str | None = None) -> str:
    """The count with its noun, thousands separated: "1 node", "1,024 IPs"."""
    return f"{count:,} {noun(count, singular, many)}"


def sentence(text: str) -> str:
    """`text` ending in one stop: a full stop added unless it ends in ".", "?", "!" or "…" already (trailing
    whitespace dropped; "" stays "")."""
    stripped = text.rstrip()
    if not stripped or stripped.endswith((".", "?", "!", "…")):
        return stripped
    return stripped + "."
