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


def _pool_sample(workers: list[int], seconds: float, server_cpu: float, client_cpu: float,
                 other: tuple[int, int]) -> tuple[dict, dict]:
    server = {"workers": [{"number": n + 1, "handshakes": h, "cpu": server_cpu / len(workers)}
                          for n, h in enumerate(workers)],
              "handshakes": sum(workers), "cpu": server_cpu}
    served = {str(n + 1): {"handshakes": h, "offered_same": h - 1 - other[0],
                           "resumed_same": h - 1 - other[0], "offered_other": other[0],
                           "resumed_other": other[1]} for n, h in enumerate(workers)}
    client = {"handshakes": sum(workers), "seconds": seconds, "cpu": client_cpu,
              "served": served}
    return server, client


def test_the_worker_rows_are_qtls_only_and_summarised_with_the_2_to_1_ratio() -> None:
    from bench.report import workers_summary

    rows = [w for w in workloads(smoke=False) if w.kind == "workers"]
    impls = [i for i in IMPLS if i.name in ("PyQt6", "qtls")]
    results = Results()
    one = [_pool_sample([1000], 2.0, 1.5, 0.5, (0, 0)) for _ in range(3)]
    two = [_pool_sample([600, 400], 1.0 + rep / 10, 1.6, 0.5, (0, 0)) for rep in range(3)]
    tickets = [_pool_sample([500, 500], 1.0, 1.0, 0.5, (200, 199)) for _ in range(2)]
    results.raw[("cap-workers-1", "qtls")] = one
    results.raw[("cap-workers-2", "qtls")] = two
    results.raw[("resume-workers-2", "qtls")] = tickets
    text = table(results, impls, rows)
    assert _named_cells(text, "server capacity, 1 worker process")["PyQt6"] == "n/a"
    summary = workers_summary(results)
    assert summary is not None
    # 500 hs/s with one worker; 1000/1.1 = 909 (the median of 1000, 909, 833) with two.
    assert "| handshakes per second (wall clock) | 500 | 909 | 1.82× |" in summary
    assert "| busiest worker's share of the handshakes | 100 % | 60.0 % |" in summary
    assert "2 workers ÷ 1 worker (wall clock): 1.82× (target ≥ 1.7 ✓)" in summary
    # Per serving worker, summed over the repetitions: 2 × 200 offered, 2 × 199 resumed.
    assert "worker 1 resumed 398 of the 400 tickets another worker issued and 598 of its own " \
           "598" in summary
    assert workers_summary(Results()) is None
