"""``python -m qtls``: see :mod:`qtls.cli.main`."""

from qtls.cli.main import main

raise SystemExit(main())
