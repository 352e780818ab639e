"""PeaceTable app layer."""
