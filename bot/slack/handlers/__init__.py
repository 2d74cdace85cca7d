"""Listener functions: ack first, then parse, authorize, answer, render and respond."""
