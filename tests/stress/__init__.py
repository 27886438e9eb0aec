"""Load, faults and soak (issue 16 §3): ``python -m tests.stress`` (``make stress``) at full
size with a table of figures, and the same scenarios small in ``test_stress_fast.py``.

Scenarios (scenarios.py; the server is harness.StressServer, a QSslServer on 127.0.0.1 with a
trustme certificate, in this process; the clients are asyncio + stdlib ``ssl`` in a subprocess,
peers.py, so that 10,000 connections need 10,000 descriptors here, not 20,000):

- idle: N clients handshake and stay connected; RSS per idle connection is measured while
  they are held; then they leave;
- burst: N clients connect and handshake at once, each sends ``ping`` and reads ``PING``;
- slow: N clients send a real ClientHello a byte a second while M normal clients are served;
  the handshake timeout ends the slow ones (3 s in the runner, 1 s in the tests, instead of
  Qt's 5 s, to keep the run short);
- vanish: N clients reset (SO_LINGER 0) halfway through their ClientHello, then N reset after
  16 KiB of a 1 MiB reply;
- emfile (emfile.py): the server in a subprocess whose RLIMIT_NOFILE is lowered; more clients
  than it has descriptors for; accepting pauses with acceptError (as Qt), the application
  resumes it, the clients already in are served, and those in the backlog get in once others
  leave;
- soak: sequential connections, event-driven (a qtls client on the same loop) and blocking
  (a qtls client thread using the waitFor* calls), up to a count or a time budget.

After each, once the server holds no socket: descriptors and threads must be back exactly,
live objects within 2,000 and RSS within 8 MiB of the baseline taken before (harness.Figures).
"""
