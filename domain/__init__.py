"""The pooling domain: events, commands, aggregates and money rules. Pure: no I/O."""
