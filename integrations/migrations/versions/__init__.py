"""Alembic revisions, oldest first by `down_revision`; a released revision is never edited."""
