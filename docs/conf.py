"""Sphinx configuration: Markdown pages (MyST) and an API reference from the docstrings."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys

sys.path.insert(0, os.path.abspath(".."))

import qtls  # noqa: E402

project = "qtls"
author = "qtls developers"
copyright = "2026, qtls developers"
release = version = qtls.__version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.viewcode"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
# The docstrings are Qt-flavoured prose, some with Markdown-style `code`; no cross-reference
# checking of the type names in signatures (PyQt6-style names such as QIODeviceBase.OpenModeFlag
# do not all resolve).
nitpicky = False

html_theme = "alabaster"
html_title = f"qtls {release}"


def _without_missing_architecture(app: object, docname: str, source: list[str]) -> None:
    """docs/architecture.md is written apart from the guides: a checkout without it still
    builds (strict mode fails on a toctree entry naming a missing page)."""
    srcdir = str(getattr(app, "srcdir", "."))
    if docname == "index" and not os.path.exists(os.path.join(srcdir, "architecture.md")):
        source[0] = source[0].replace("\narchitecture\n", "\n")


_OWN = re.compile(r"\.\. autoclass:: ([\w.]+)\n(\s+):members: @own\n")


def _mixin_members(path: str) -> list[tuple[str, bool]]:
    """The public members a class gets from its private mixins (QSslSocket's SslSocketApi,
    for one), as (name, is a method); the members of its public bases have their own entries."""
    module_name, _, class_name = path.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    public = set(importlib.import_module("qtls.QtNetwork").__all__)
    public |= set(importlib.import_module("qtls.QtCore").__all__)
    found: list[tuple[str, bool]] = []
    seen = set(vars(cls))
    for base in cls.__mro__[1:]:
        if base.__name__ in public or base is object:
            break
        for name, value in vars(base).items():
            if name.startswith("_") or name in seen or not getattr(value, "__doc__", None):
                continue
            seen.add(name)
            function = getattr(value, "__func__", value)
            found.append((name, inspect.isfunction(function)))
    return found


def _expand_own_members(app: object, docname: str, source: list[str]) -> None:
    """``:members: @own``: the class's own members, then those of its private mixins, which
    autodoc would otherwise leave out or mix with the public bases' members."""

    def expand(match: re.Match[str]) -> str:
        path, indent = match.group(1), match.group(2)
        lines = [f".. autoclass:: {path}", f"{indent}:members:", ""]
        for name, is_method in _mixin_members(path):
            kind = "automethod" if is_method else "autoattribute"
            lines.append(f"{indent}.. {kind}:: {name}")
        return "\n".join(lines) + "\n\n"

    source[0] = _OWN.sub(expand, source[0])


def setup(app: object) -> None:
    app.connect("source-read", _without_missing_architecture)  # type: ignore[attr-defined]
    app.connect("source-read", _expand_own_members)  # type: ignore[attr-defined]
