"""The ``python -m qtls demo`` TCP demo runs by itself and succeeds."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

from qtls.cli.demo import run_demo


def test_run_demo_exchanges_every_line_and_returns_zero(qtls_app: Any) -> None:
    out = io.StringIO()
    assert run_demo(out) == 0
    text = out.getvalue()
    assert "readyRead: b'BYE\\n'" in text
    assert text.index("stateChanged(HostLookupState)") < text.index("connected")
    assert "done: every line came back" in text


def test_demo_command_exits_zero_within_seconds() -> None:
    result = subprocess.run([sys.executable, "-m", "qtls", "demo"], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "disconnected" in result.stdout
