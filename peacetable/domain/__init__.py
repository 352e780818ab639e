"""PeaceTable domain layer."""
