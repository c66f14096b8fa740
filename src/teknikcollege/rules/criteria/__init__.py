"""Built-in rule sets."""
