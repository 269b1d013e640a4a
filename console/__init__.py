"""The application: CLI and config, composition root, runtime, main window."""
