"""The README's asyncio section runs as printed: each of its Python blocks, in a fresh
interpreter, on asyncio's loop and on uvloop."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## In an asyncio program"


def _blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end != -1 else len(text)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_section_has_a_client_and_a_server() -> None:
    blocks = _blocks()
    assert len(blocks) >= 2
    assert "qtls.aio.start_server" in blocks[0] and "qtls.aio.open_connection" in blocks[0]


# What each block prints (a line of it), in order.
EXPECTED = [["b'HELLO\\n'", "TLS_"], ["HostNameMismatch", "b''"], ["ConnectionRefusedError"]]


@pytest.mark.parametrize("index", range(len(EXPECTED)))
def test_readme_block_runs(loop_kind: str, index: int) -> None:
    block = _blocks()[index]
    prelude = ""
    if loop_kind == "uvloop":
        prelude = "import asyncio, uvloop\nasyncio.set_event_loop_policy(uvloop.EventLoopPolicy())\n"
    done = subprocess.run([sys.executable, "-c", prelude + block], capture_output=True,
                          text=True, timeout=60, cwd=README.parent)
    assert done.returncode == 0, done.stderr
    for fragment in EXPECTED[index]:
        assert fragment in done.stdout, done.stdout
