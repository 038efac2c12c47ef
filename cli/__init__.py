"""The `encommun` command line (Typer): it parses, calls application/, prints; it decides nothing."""
