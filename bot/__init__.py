"""The bot layer: Slack, the CLI, and the one composition root."""
