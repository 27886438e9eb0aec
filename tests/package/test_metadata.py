"""The installed package's metadata: one version, the licence file, the classifiers."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import qtls

ROOT = Path(__file__).resolve().parents[2]


def test_the_metadata_version_is_qtls_version() -> None:
    assert importlib.metadata.version("qtls") == qtls.__version__


def test_the_license_file_is_mit_and_shipped() -> None:
    metadata = importlib.metadata.metadata("qtls")
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["License-Expression"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "2026 qtls developers" in text


def test_classifiers_say_typed_and_the_python_versions() -> None:
    classifiers = importlib.metadata.metadata("qtls").get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.10" in classifiers


def test_the_changelog_has_a_section_for_the_current_version() -> None:
    assert f"## {qtls.__version__}" in (ROOT / "CHANGELOG.md").read_text()
