"""The server half: the core, the session interface and the services behind every command. No Qt, so that
`controlroom --headless` (`console.headless`, and later a shared server) runs it without a display."""
