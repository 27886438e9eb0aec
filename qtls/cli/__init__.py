"""Command line: python -m qtls ..."""
