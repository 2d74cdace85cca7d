"""Settings every test shares."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Property tests check what holds, not how fast: a per-example deadline only flakes on a busy 2-core CI machine.
settings.register_profile("okebot", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("okebot")
