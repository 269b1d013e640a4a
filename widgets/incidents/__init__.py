"""Incidents (issue 17): the declaration dialog, the transfer-of-command dialog and the incident tab."""
