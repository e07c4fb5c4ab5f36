"""Hearth: a desktop coding assistant on local models."""

__version__ = "0.1.0"
