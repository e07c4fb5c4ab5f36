"""Hearth's `ui` layer (see ARCHITECTURE.md)."""
