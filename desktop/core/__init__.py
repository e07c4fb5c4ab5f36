"""Hearth's `core` layer (see ARCHITECTURE.md)."""
