"""The alarm history: one row per alarm occurrence over a period, for the shift lead's review."""
