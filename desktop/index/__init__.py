"""Hearth's `index` layer (see ARCHITECTURE.md)."""
