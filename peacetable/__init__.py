"""PeaceTable: staged negotiation exercises, recorded as an append-only event log."""

__version__ = "0.1.0"
