"""Pure Block Kit renderers: a report in, a list of block dicts out; no client, no awaits."""
