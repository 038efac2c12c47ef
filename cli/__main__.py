"""`python -m cli`: the `encommun` command."""

from cli.main import main

main()
