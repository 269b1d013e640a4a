"""The window half: the qasync runner, the main window, the bridge from the core, the views' glue and the
annunciator; everything here may use Qt, and talks to the core only through the session."""
