"""The bench scenarios, one module per kind of work."""
