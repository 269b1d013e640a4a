"""Zone isolation for maintenance: the banner and the dialog."""
