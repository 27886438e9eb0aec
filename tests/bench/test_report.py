"""The results table: medians, min–max, ratios, targets and failure notes."""

from __future__ import annotations

from bench.plan import IMPLS, workloads
from bench.report import Results, table


def _row(rows_text: str, title: str) -> list[str]:
    line = next(line for line in rows_text.splitlines() if line.startswith(f"| {title}"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def _named_cells(rows_text: str, title: str) -> dict[str, str]:
    """The cells of the row starting with ``title``, by column header."""
    header = [cell.strip() for cell in rows_text.splitlines()[0].strip("|").split("|")]
    return dict(zip(header, _row(rows_text, title), strict=True))


def test_ratio_of_medians_and_target_mark_follow_the_measurements() -> None:
    rows = [w for w in workloads(smoke=False) if w.id in ("bulk", "mem")]
    impls = [i for i in IMPLS if i.name in ("PyQt6", "qtls")]
    results = Results()
    results.values[("bulk", "PyQt6")] = [400.0, 500.0, 450.0]
    results.values[("bulk", "qtls")] = [1000.0, 800.0, 900.0]
    results.values[("mem", "PyQt6")] = [80.0]
    results.values[("mem", "qtls")] = [60.0]
    text = table(results, impls, rows)
    bulk = _named_cells(text, "bulk")
    assert bulk["PyQt6"] == "450 (400–500)"
    assert bulk["qtls ÷ PyQt6"] == "2.00×"
    assert bulk["target (qtls ÷ PyQt6)"].endswith("✓")
    mem = _named_cells(text, "server memory")
    assert mem["qtls ÷ PyQt6"] == "0.75×"
    assert mem["target (qtls ÷ PyQt6)"].endswith("✗")  # lower is better: 0.75 > 0.6


def test_failed_and_not_applicable_cells_are_explained() -> None:
    rows = [w for w in workloads(smoke=False) if w.id == "cap-ecdsa"]
    impls = [i for i in IMPLS if i.name in ("qtls", "qtls blocking")]
    results = Results()
    results.errors[("cap-ecdsa", "qtls")] = "client: timed out after 90 s"
    text = table(results, impls, rows)
    cells = _row(text, "server capacity")
    assert "fail[1]" in cells
    assert "n/a" in cells
    assert "[1] qtls, cap-ecdsa: client: timed out after 90 s" in text


def test_floor_ratios_read_how_much_room_the_stack_leaves() -> None:
    rows = [w for w in workloads(smoke=False) if w.id in ("cap-ecdsa", "pingpong")]
    impls = [i for i in IMPLS if i.name in ("PyQt6", "qtls", "floor")]
    results = Results()
    results.values[("cap-ecdsa", "PyQt6")] = [700.0]
    results.values[("cap-ecdsa", "qtls")] = [1200.0]
    results.values[("cap-ecdsa", "floor")] = [1600.0]
    results.values[("pingpong", "PyQt6")] = [7000.0]
    results.values[("pingpong", "qtls")] = [7000.0]
    text = table(results, impls, rows)
    cap = _named_cells(text, "server capacity")
    assert cap["qtls ÷ floor"] == "0.75×"
    assert cap["floor ÷ PyQt6"] == "2.29×"
    ping = _named_cells(text, "ping-pong")
    assert ping["floor"] == "n/a"  # the floor serves handshakes only
    assert ping["qtls ÷ floor"] == ""
