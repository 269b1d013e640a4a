"""The store's schema history: one Alembic revision per change, applied in place when a store opens."""
