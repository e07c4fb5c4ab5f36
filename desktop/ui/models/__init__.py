"""The Models dialog: memory fit per model at the chosen context, downloads, defaults."""

from desktop.ui.models.picker import ModelsDialog

__all__ = ["ModelsDialog"]
