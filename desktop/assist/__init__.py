"""Hearth's `assist` layer (see ARCHITECTURE.md)."""
