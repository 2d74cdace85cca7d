"""CNI plugin versions, compared numerically ("2.10.1" is newer than "2.3.0").

Plugin versions are not Kubernetes versions (`engine.kubernetes_version`): any run of dotted numbers counts.
"""

from __future__ import annotations

import re

# The CNI DaemonSet moved from RollingUpdate to OnDelete in VCN-native 2.3.0 (Oracle's VCN-native pod networking page).
ON_DELETE_SINCE = (2, 3, 0)

_LEADING_NUMBERS = re.compile(r"^\s*[vV]?(\d+(?:\.\d+)*)")


def parse_plugin_version(text: str | None) -> tuple[int, ...] | None:
    """The leading dotted numbers of a version ("v2.3.0-oke.1" gives (2, 3, 0)), or None if there are none."""
    if text is None:
        return None
    match = _LEADING_NUMBERS.match(text)
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def _padded(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)), b + (0,) * (width - len(b))


def compare_versions(left: str | None, right: str | None) -> int | None:
    """-1, 0 or 1 as `left` is older, equal or newer than `right`; None when either cannot be read."""
    parsed_left, parsed_right = parse_plugin_version(left), parse_plugin_version(right)
    if parsed_left is None or parsed_right is None:
        return None
    a, b = _padded(parsed_left, parsed_right)
    return (a > b) - (a < b)


def is_on_delete_version(text: str | None) -> bool | None:
    """Whether a VCN-native CNI version is 2.3.0 or later (OnDelete updates); None when unreadable."""
    parsed = parse_plugin_version(text)
    if parsed is None:
        return None
    a, b = _padded(parsed, ON_DELETE_SINCE)
    return a >= b
