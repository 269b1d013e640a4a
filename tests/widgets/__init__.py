"""Tests of the Qt views, one module per widget module."""
