"""Qt views of the console: they read arrays and models handed to them and emit the operator's intents as
signals; they never touch the network or the database."""
