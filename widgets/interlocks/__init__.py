"""Interlocks: the panel, the command dialog and the pending requests."""
