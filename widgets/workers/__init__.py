"""Workers: the list, a worker's details, the muster board and the SOS response dialogs."""
