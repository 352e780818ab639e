"""PeaceTable storage layer."""
