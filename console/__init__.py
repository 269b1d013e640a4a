"""The application: entry point, CLI, config, composition root and reports here; the core in `server`,
the Qt window in `window`."""
