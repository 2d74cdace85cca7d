"""The scheduler's settings: the documented defaults, a bad value named by its variable, and the docs list each."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.jobs.settings import JobSettings, load_job_settings
from engine.errors import InputError

ROOT = Path(__file__).parents[3]


def test_defaults_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch):
    for name in JobSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = load_job_settings()
    assert (settings.okebot_sample_interval_seconds, settings.okebot_history_retention_days,
            settings.okebot_forecast_window_days, settings.okebot_digest_grace_seconds,
            settings.okebot_scheduler_tick_seconds) == (900, 400, 14, 600, 5)


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("OKEBOT_SAMPLE_INTERVAL_SECONDS", "5", r"must be 0 \(off\) or at least 10 seconds"),
        ("OKEBOT_SCHEDULER_TICK_SECONDS", "0", "greater than 0"),
        ("OKEBOT_DIGEST_GRACE_SECONDS", "ten", "valid integer"),
    ],
)
def test_a_bad_value_is_refused_naming_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                                    said: str):
    monkeypatch.setenv(name, value)
    with pytest.raises(InputError, match=said) as caught:
        load_job_settings()
    assert [problem.path for problem in caught.value.problems] == [name]
    assert caught.value.message.startswith(f"{name} is not valid: ")


@pytest.mark.parametrize("doc", ["README.md", "docs/digests.md"])
def test_every_setting_is_documented(doc: str):
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert [n.upper() for n in JobSettings.model_fields if n.upper() not in text] == []
