"""What happened, as records: the event log and the audit trail."""
