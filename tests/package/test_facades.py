"""qtls.QtCore and qtls.QtNetwork load a class's module on first use, yet look complete."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

FACADES = ["qtls.QtCore", "qtls.QtNetwork"]


@pytest.mark.parametrize("facade", FACADES)
def test_facade_maps_every_name_of_its_modules_and_nothing_else(facade: str) -> None:
    module = importlib.import_module(facade)
    mapping: dict[str, str] = module._MODULES
    for source in set(mapping.values()):
        exported = importlib.import_module(source).__all__
        assert sorted(exported) == sorted(n for n, m in mapping.items() if m == source)
    assert sorted(module.__all__) == sorted(mapping)
    assert dir(module) == sorted(mapping)


@pytest.mark.parametrize("facade", FACADES)
def test_every_name_resolves_to_the_defining_modules_object(facade: str) -> None:
    module = importlib.import_module(facade)
    for name, source in module._MODULES.items():
        assert getattr(module, name) is getattr(importlib.import_module(source), name)


@pytest.mark.parametrize("facade", FACADES)
def test_unknown_name_raises_attribute_error_naming_it(facade: str) -> None:
    module = importlib.import_module(facade)
    with pytest.raises(AttributeError, match="QNoSuchThing"):
        module.QNoSuchThing  # noqa: B018


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout.strip()


def test_importing_the_facades_loads_neither_pyopenssl_nor_the_sockets() -> None:
    loaded = _fresh("import sys, qtls.QtCore, qtls.QtNetwork; "
                    "print(sorted(m for m in sys.modules if m.startswith(('OpenSSL', 'qtls.'))))")
    assert "OpenSSL" not in loaded
    assert "qtls.ssl.sslsocket" not in loaded


def test_star_import_gives_every_name() -> None:
    names = _fresh("from qtls.QtNetwork import *; from qtls.QtCore import *; "
                   "print(QSslSocket.__name__, QSslServer.__name__, QCoreApplication.__name__, "
                   "QOcspRevocationReason.__name__, pyqtSignal.__name__)")
    assert names == "QSslSocket QSslServer QCoreApplication QOcspRevocationReason pyqtSignal"
