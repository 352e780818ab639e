"""PeaceTable ui layer."""
