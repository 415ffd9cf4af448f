"""One module per subcommand. Each takes typed arguments and returns an exit code (0-4);
none imports click, so tests and the dashboard call them directly."""
