"""Edits made by a model: parse the answer, check it, diff it, apply it, undo it."""
