"""How wide and how colourful terminal output may be: the terminal's own width, `COLUMNS`, `NO_COLOR`, `TERM`.

- Width: `COLUMNS` when set (a person or a script asked for it), else the terminal's width when writing to one,
  else a fixed `PIPED_WIDTH`, so that piped output and files do not depend on the window they came from.
- Colour: only on a terminal, and never with `NO_COLOR` set to anything (https://no-color.org) or `TERM=dumb`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

PIPED_WIDTH = 120
MIN_WIDTH = 40  # narrower than this nothing is readable; COLUMNS below it is taken as this
NARROW = 100  # below this many columns, wide tables become lists


def is_terminal(stream: TextIO) -> bool:
    """Whether the stream is a terminal (False for anything that cannot say)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def output_width(stream: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """The width to lay text out in, in columns (see the module docstring)."""
    env = os.environ if environ is None else environ
    columns = env.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    if is_terminal(stream):
        try:
            return max(os.get_terminal_size(stream.fileno()).columns, MIN_WIDTH)
        except (AttributeError, ValueError, OSError):
            return PIPED_WIDTH
    return PIPED_WIDTH


def use_color(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour output: a terminal, without NO_COLOR (any value but empty) and not TERM=dumb."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", "") != "" or env.get("TERM", "") == "dumb":
        return False
    return is_terminal(stream)
