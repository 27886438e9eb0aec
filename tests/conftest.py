"""Suite-wide settings. Each area keeps its fixtures in its own tests/<area>/conftest.py."""

import os

# PyQt6, the reference implementation some tests compare with, must never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
