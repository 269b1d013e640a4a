"""Zoned PA broadcasts: the dialog and its delivery per zone."""
