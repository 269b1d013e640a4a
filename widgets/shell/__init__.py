"""The window's own parts around the features: the status bar."""
