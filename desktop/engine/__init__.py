"""Hearth's `engine` layer (see ARCHITECTURE.md)."""
