"""Signing in: first-run, sign-in and lock dialogs."""
