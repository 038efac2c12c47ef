"""The demo territory "Haut-Val": a deterministic generator of commands and its loader.

    python -m demo --store var/demo.sqlite --months 12 [--scale K] [--seed S] [--force]
"""
