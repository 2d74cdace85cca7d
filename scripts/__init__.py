"""Developer scripts, run from the repository root (`.venv/bin/python -m scripts.NAME`); not shipped with okebot."""
