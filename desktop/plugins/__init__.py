"""Hearth's `plugins` layer (see ARCHITECTURE.md)."""
