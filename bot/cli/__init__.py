"""The okebot command line."""
