"""Composition root: builds paths, settings, engine, services and the main window."""

from __future__ import annotations


def run_app(argv: list[str]) -> int:
    raise NotImplementedError
