"""The results table: medians with min–max per implementation, and qtls/reference ratios."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from bench.plan import RATIOS, Impl, Workload


@dataclass
class Results:
    """Everything one run measured, keyed by (workload id, implementation name)."""

    values: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    # implementation name -> negotiated parameters (wire probe + what the implementation says)
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    # (workload id, implementation name) -> each repetition's raw results, for the rows whose
    # summary needs more than their one number (the worker-pool rows)
    raw: dict[tuple[str, str], list[tuple[dict, dict]]] = field(default_factory=dict)

    def median(self, workload: str, impl: str) -> float | None:
        values = self.values.get((workload, impl))
        return statistics.median(values) if values else None


def fmt(value: float) -> str:
    """A number with about three significant digits, thousands separated."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _cell(results: Results, workload: Workload, impl: Impl, notes: list[str]) -> str:
    if not impl.runs(workload):
        return "n/a"
    key = (workload.id, impl.name)
    values = results.values.get(key)
    if not values:
        error = results.errors.get(key)
        if error is None:
            return "–"
        notes.append(f"{impl.name}, {workload.id}: {error}")
        return f"fail[{len(notes)}]"
    median = statistics.median(values)
    if len(values) == 1:
        return fmt(median)
    return f"{fmt(median)} ({fmt(min(values))}–{fmt(max(values))})"


def _ratio(results: Results, workload: Workload, top: str, bottom: str) -> float | None:
    a, b = results.median(workload.id, top), results.median(workload.id, bottom)
    if a is None or b is None or b == 0:
        return None
    return a / b


def _target_cell(results: Results, workload: Workload) -> str:
    if workload.target is None:
        return ""
    ratio = _ratio(results, workload, *RATIOS[0])
    sign = "≥" if workload.higher_is_better else "≤"
    if ratio is None:
        return f"{sign} {workload.target:g}"
    met = ratio >= workload.target if workload.higher_is_better else ratio <= workload.target
    return f"{sign} {workload.target:g} {'✓' if met else '✗'}"


def table(results: Results, impls: list[Impl], rows: list[Workload]) -> str:
    """The Markdown table: one row per workload, one column per implementation, then the
    ratios (qtls ÷ reference, for every row whatever its direction) and the issue's target."""
    notes: list[str] = []
    ratio_pairs = [(a, b) for a, b in RATIOS
                   if any(i.name == a for i in impls) and any(i.name == b for i in impls)]
    header = (["workload", "unit"] + [i.name for i in impls]
              + [f"{a} ÷ {b}" for a, b in ratio_pairs] + ["target (qtls ÷ PyQt6)"])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for workload in rows:
        unit = workload.unit + ("" if workload.higher_is_better else " (lower is better)")
        cells = [workload.title, unit]
        cells += [_cell(results, workload, impl, notes) for impl in impls]
        for a, b in ratio_pairs:
            ratio = _ratio(results, workload, a, b)
            cells.append("" if ratio is None else f"{ratio:.2f}×")
        cells.append(_target_cell(results, workload))
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines.append("")
        lines += [f"[{n}] {text}" for n, text in enumerate(notes, 1)]
    return "\n".join(lines)


def sessions_table(results: Results, impls: list[Impl]) -> str:
    """What each implementation negotiated: read off the wire by the probe, and as reported
    by the implementation's own API."""
    lines = [
        "| implementation | protocol | cipher suite | group | resumed (probe) "
        "| reported by the implementation |",
        "|---|---|---|---|---|---|",
    ]
    for impl in impls:
        session = results.sessions.get(impl.name)
        if session is None:
            continue
        lines.append(
            f"| {impl.name} | {session.get('protocol', '?')} | {session.get('cipher', '?')} "
            f"| {session.get('group', '?')} | {session.get('resumed', '?')} "
            f"| {session.get('reported', '?')} |")
    return "\n".join(lines)


def _median_of(samples: list[tuple[dict, dict]], value: Any) -> float | None:
    values = []
    for server, client in samples:
        try:
            values.append(float(value(server, client)))
        except (KeyError, ZeroDivisionError, TypeError, ValueError):
            continue
    return statistics.median(values) if values else None


def workers_summary(results: Results) -> str | None:
    """What the worker-pool rows mean together (medians over the repetitions): the 2 ÷ 1
    wall-clock ratio, handshakes per server CPU-second, how busy the machine was, how the
    connections spread over the workers; then the resumption of tickets per serving worker."""
    one = results.raw.get(("cap-workers-1", "qtls"), [])
    two = results.raw.get(("cap-workers-2", "qtls"), [])
    resumed = results.raw.get(("resume-workers-2", "qtls"), [])
    if not one and not two and not resumed:
        return None

    def wall(server: dict, client: dict) -> float:
        return client["handshakes"] / client["seconds"]

    def per_cpu(server: dict, client: dict) -> float:
        return server["handshakes"] / server["cpu"]

    def busy(server: dict, client: dict) -> float:  # CPUs kept busy by server and client
        return (server["cpu"] + client["cpu"]) / client["seconds"]

    def client_cost(server: dict, client: dict) -> float:  # c ÷ s, per handshake
        return client["cpu"] / server["cpu"]

    def spread(server: dict, client: dict) -> float:  # the busiest worker's share
        counts = [w["handshakes"] for w in server["workers"]]
        return 100 * max(counts) / sum(counts)

    def cell(samples: list[tuple[dict, dict]], value: Any, unit: str = "") -> str:
        median = _median_of(samples, value)
        return "–" if median is None else fmt(median) + unit

    lines = ["Worker processes (qtls.prefork.WorkerPool), medians; bench/README.md says what "
             "they mean on a 2-core machine that also runs the client:", "",
             "| capacity rows | 1 worker | 2 workers | 2 ÷ 1 |", "|---|---|---|---|"]
    for label, value, unit in (("handshakes per second (wall clock)", wall, ""),
                               ("handshakes per server CPU-second", per_cpu, ""),
                               ("CPUs busy (server + client)", busy, ""),
                               ("client CPU ÷ server CPU", client_cost, ""),
                               ("busiest worker's share of the handshakes", spread, " %")):
        a, b = _median_of(one, value), _median_of(two, value)
        ratio = f"{b / a:.2f}×" if a and b and value in (wall, per_cpu) else ""
        lines.append(f"| {label} | {cell(one, value, unit)} | {cell(two, value, unit)} "
                     f"| {ratio} |")
    a, b = _median_of(one, wall), _median_of(two, wall)
    if a and b:
        lines += ["", f"Capacity with 2 workers ÷ 1 worker (wall clock): {b / a:.2f}× "
                  f"(target ≥ 1.7 {'✓' if b / a >= 1.7 else '✗'})."]
    if resumed:
        totals: dict[str, dict[str, int]] = {}
        for _server, client in resumed:
            for worker, row in client["served"].items():
                into = totals.setdefault(worker, dict.fromkeys(row, 0))
                for key, count in row.items():
                    into[key] += count
        per_worker = "; ".join(
            f"worker {worker} resumed {row['resumed_other']:,} of the "
            f"{row['offered_other']:,} tickets another worker issued and "
            f"{row['resumed_same']:,} of its own {row['offered_same']:,}"
            for worker, row in sorted(totals.items()))
        lines += ["", f"Tickets offered to 2 workers (resume-workers-2, all repetitions): "
                  f"{per_worker}."]
    return "\n".join(lines)
