"""qtls benchmark harness: qtls side by side with PyQt6, asyncio (stdlib ``ssl``) and uvloop.

Run ``python -m bench`` (or ``make bench``); ``python -m bench --smoke`` runs every workload with
tiny sizes in a few seconds. See ``bench/README.md`` for the workloads and how to read the table.

Layout (one job per module):

- ``run``       the runner: command line, the interleaved plan, result collection, the table.
- ``plan``      the implementations and workloads, full and smoke sizes.
- ``procs``     spawning one server and one client process per measurement, pinned, bounded.
- ``worker``    the child-process entry point (``python -m bench.worker SPEC``).
- ``qtstyle``   the Qt-style benchmark code, written once, for ``PyQt6`` or ``qtls``
                (event-driven: signals and ``QCoreApplication.exec``).
- ``qtblocking`` the same workloads in Qt's blocking style (``waitFor*``).
- ``aio``       asyncio streams with the stdlib ``ssl`` module, on asyncio's loop or uvloop.
- ``certs``     the ECDSA P-256 and RSA-2048 certificates (generated with ``cryptography``).
- ``probe``     reads the negotiated version, cipher suite, group and resumption off the wire.
- ``report``    medians, min-max, ratios and the Markdown table.
"""
