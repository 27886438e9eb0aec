"""Print how qtls, qtls in strict mode, PyQt6 and cryptography answer x509-limbo's SERVER cases.

    python -m tests.x509.limbo_report [--no-handshakes]

(``make conformance`` prints it too). PyQt6 and the handshakes run under libfaketime (Debian
package ``faketime``); without it, or without PyQt6, their rows say why they are missing.
``QTLS_LIMBO_JSON=path/to/limbo.json`` reports on another limbo suite.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.x509.limbo_cases import (  # noqa: E402  (after the environment is set)
    IMPLEMENTATIONS,
    SUITE,
    cryptography_harness_cases,
    load_cases,
    score,
    source_commit,
    verdicts,
)


def table(implementations: tuple[str, ...], subset: bool = False) -> str:
    """The report as a Markdown table (*subset*: the cases cryptography's own harness runs)."""
    cases = cryptography_harness_cases() if subset else load_cases()
    title = (
        f"The {len(cases)} of them cryptography's own x509-limbo harness runs (it skips the rest)"
        if subset else
        f"x509-limbo SERVER cases: {len(cases)} (from {SUITE.name}, commit {source_commit()[:12]})"
    )
    lines = [
        title,
        "",
        "| implementation | pass | fail | accepts invalid | rejects valid | skipped |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in implementations:
        try:
            result = score(verdicts(name), cases)
        except (RuntimeError, ImportError) as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            lines.append(f"| {name} | - | - | - | - | not run: {reason} |")
            continue
        lines.append(
            f"| {name} | {result.passed} | {result.failed} | {result.accepted_invalid} | "
            f"{result.rejected_valid} | {result.skipped} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-handshakes", action="store_true", help="verify() rows only")
    args = parser.parse_args()
    names = tuple(n for n in IMPLEMENTATIONS if not (args.no_handshakes and "handshake" in n))
    print(table(names))
    print()
    print(table(("qtls verify()", "qtls strict verify()", "cryptography"), subset=True))


if __name__ == "__main__":
    main()
