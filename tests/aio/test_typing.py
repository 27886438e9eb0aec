"""qtls.aio is typed: a user program on it passes ``mypy --strict``, and so does qtls.aio."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

needs_mypy = pytest.mark.skipif(importlib.util.find_spec("mypy") is None,
                                reason="mypy is not installed (it is in the dev extra)")


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--follow-imports=silent", "--config-file=", *args],
        capture_output=True, text=True, timeout=300, cwd=ROOT)


@needs_mypy
def test_a_user_program_passes_mypy_strict() -> None:
    done = _mypy("tests/aio/typed/example.py")
    assert done.returncode == 0, done.stdout + done.stderr


@needs_mypy
def test_qtls_aio_itself_passes_mypy_strict() -> None:
    done = _mypy("-p", "qtls.aio")
    assert done.returncode == 0, done.stdout + done.stderr


@needs_mypy
def test_mypy_catches_a_misuse_of_qtls_aio(tmp_path: Path) -> None:
    program = tmp_path / "misuse.py"
    program.write_text(
        "import qtls.aio\n\n\n"
        "async def main() -> None:\n"
        "    reader, writer = await qtls.aio.open_connection('localhost', '443')\n"
        "    await writer.start_tls(ignore_errors=3)\n")
    done = _mypy(str(program))
    assert done.returncode == 1
    assert 'Argument 2 to "open_connection" has incompatible type "str"' in done.stdout
    assert '"ignore_errors"' in done.stdout
