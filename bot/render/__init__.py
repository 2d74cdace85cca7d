"""Renderers: pure functions from reports to text or Slack blocks."""
