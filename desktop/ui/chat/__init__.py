"""The chat panel: transcript with streaming Markdown, message box, conversation list."""
