"""How many examples each hypothesis fuzz test runs.

``make test`` runs a bounded number (a few seconds per target); ``make fuzz`` without atheris
sets ``QTLS_FUZZ_EXAMPLES`` to run the same tests much longer.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["fuzz_settings"]


def fuzz_settings(default: int) -> settings:
    """Hypothesis settings for a fuzz test: ``default`` examples unless the environment says."""
    examples = int(os.environ.get("QTLS_FUZZ_EXAMPLES", default))
    return settings(
        max_examples=examples,
        deadline=None,  # (a loaded 2-core machine; hangs are caught by pytest-timeout)
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
