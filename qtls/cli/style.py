"""How the commands print: aligned fields, colour only on a terminal, one JSON document on request.

Colour follows the NO_COLOR convention (https://no-color.org): any non-empty NO_COLOR turns it
off, and it is only ever used when the stream is a terminal.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
import time
from collections.abc import Iterable
from typing import Any, TextIO

__all__ = ["Out", "CommandError", "use_colour"]

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


class CommandError(Exception):
    """A failure the user can act on: printed as one line, exit status 2 unless told."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


def use_colour(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal and NO_COLOR is unset or empty."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Out:
    """One command's output: text for people (aligned, maybe coloured) or nothing until the
    JSON document is written at the end (``json=True``)."""

    def __init__(self, stream: TextIO | None = None, *, json: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.json = json
        self.colour = not json and use_colour(self.stream)
        self.start = time.monotonic()

    def paint(self, text: str, *styles: str) -> str:
        """``text`` in the given styles when colour is on, unchanged otherwise."""
        if not self.colour or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"

    def line(self, text: str = "") -> None:
        """Print a line of text (nothing in JSON mode)."""
        if not self.json:
            print(text, file=self.stream, flush=True)

    def title(self, text: str) -> None:
        self.line()
        self.line(self.paint(text, "bold"))

    def fields(self, pairs: Iterable[tuple[str, Any]], indent: int = 2) -> None:
        """``name  value`` lines with the values aligned; list values are joined by commas and
        a value of None is left out."""
        rows = [(name, value) for name, value in pairs if value is not None]
        if not rows:
            return
        width = max(len(name) for name, _ in rows)
        for name, value in rows:
            if isinstance(value, (list, tuple)):
                value = ", ".join(str(v) for v in value) if value else "-"
            self.line(f"{' ' * indent}{self.paint(name.ljust(width), 'cyan')}  {value}")

    def words(self, items: Iterable[str], indent: int = 2) -> None:
        """Space-separated words wrapped to the terminal's width (100 columns off a terminal)."""
        width = shutil.get_terminal_size((100, 24)).columns if self.colour else 100
        pad = " " * indent
        self.line(textwrap.fill(" ".join(items), width=max(width, 40), initial_indent=pad,
                                subsequent_indent=pad, break_on_hyphens=False) or pad + "-")

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self.start) * 1000

    def event(self, text: str) -> None:
        """A timestamped line: something that happened, printed as it happens."""
        self.line(f"{self.paint(f'{self.elapsed_ms():8.1f} ms', 'dim')}  {text}")

    def ok(self, text: str) -> str:
        return self.paint(text, "green", "bold")

    def bad(self, text: str) -> str:
        return self.paint(text, "red", "bold")

    def warn(self, text: str) -> str:
        return self.paint(text, "yellow")

    def document(self, doc: Any) -> None:
        """Write ``doc`` as the one JSON document of the run (JSON mode only)."""
        if self.json:
            json.dump(doc, self.stream, indent=2, default=str)
            self.stream.write("\n")
            self.stream.flush()
