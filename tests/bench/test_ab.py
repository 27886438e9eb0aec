"""bench.ab: ABBA pairs of real (smoke-sized) measurements from two checkouts, and its failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.ab import compare, main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_pairs_alternate_and_the_summary_is_made_of_the_measured_values() -> None:
    lines: list[str] = []
    summary = compare((ROOT, ROOT), "pingpong", 3, smoke=True,
                      echo=lambda text, **_: lines.append(text))
    assert summary["errors"] == []
    assert len(summary["a"]) == len(summary["b"]) == len(summary["ratios"]) == 3
    assert all(value > 0 for value in summary["a"] + summary["b"])  # round trips per second
    for a, b, ratio in zip(summary["a"], summary["b"], summary["ratios"], strict=True):
        assert ratio == pytest.approx(b / a)
    assert summary["median_ratio"] == pytest.approx(sorted(summary["ratios"])[1])
    assert summary["median_a"] == pytest.approx(sorted(summary["a"])[1])
    assert [line.split(":")[0] for line in lines] == ["pair  1", "pair  2", "pair  3"]


@pytest.mark.timeout(120)
def test_a_checkout_that_cannot_measure_fails_the_comparison(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # An empty directory has neither the benchmark nor qtls: each of its measurements fails
    # with the reason, no median is made up, and the exit status says so.
    code = main(["--workload", "pingpong", "--smoke", "--pairs", "1",
                 "--root", str(ROOT), "--root", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "failed: pair 1, B:" in err and "bench" in err


def test_it_takes_exactly_two_checkouts() -> None:
    with pytest.raises(SystemExit):
        main(["--workload", "pingpong", "--root", str(ROOT)])
