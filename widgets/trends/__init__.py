"""Trends: pens, plots, the time range and its controls."""
