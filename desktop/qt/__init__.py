"""Hearth's `qt` layer (see ARCHITECTURE.md)."""
