"""The alarm banner, the alarm list with its actions, and the shelve dialog."""
