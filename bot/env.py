"""Problems with environment variables, each named by its variable (never its value: it may be a secret), and
reported all at once in one InputError, one problem per line.

The settings models (bot/slack/settings.py, bot/jobs/settings.py, adapters/oci/settings.py) are pydantic-settings
models; `read` turns a model's ValidationError into a SettingProblem per variable, and `problems_error` makes
the one InputError whose `problems` are engine.errors.InputProblem with file "environment".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple, TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsError

from engine.errors import ENVIRONMENT, InputError, InputProblem

Model = TypeVar("Model", bound=BaseSettings)

FIX_VARIABLE = "fix each variable named, or unset it for its default"
_SEE = " (see docs/configuration.md)"


class SettingProblem(NamedTuple):
    """One variable that is wrong: its name, what is wrong ("is not set (socket mode needs it)", read after the
    name) and how to fix it."""

    variable: str
    what: str
    fix: str

    @property
    def line(self) -> str:
        """ "SLACK_APP_TOKEN is not set (socket mode needs it)"."""
        return f"{self.variable} {self.what}"


def validation_problems(exc: ValidationError, *, prefix: str) -> list[SettingProblem]:
    """A SettingProblem for each variable a settings model refused: `prefix` + the field in upper case, or the
    variable pydantic names when the field has its own (OKEBOT_KUBE_ENABLED)."""
    found = []
    for error in exc.errors(include_url=False, include_input=False):
        head, *rest = [str(part) for part in error["loc"] if part != "[key]"] or [""]
        variable = head.upper() if head.upper().startswith(("OKEBOT_", "SLACK_")) else prefix + head.upper()
        inside = f" (key {'.'.join(rest)})" if rest else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        found.append(SettingProblem(variable, f"is not valid{inside}: {message}", FIX_VARIABLE))
    return found


def read(model: type[Model], *, prefix: str) -> tuple[Model | None, list[SettingProblem]]:
    """The settings `model` reads from the environment, or None and a SettingProblem for every variable it
    could not read. `prefix` is the model's env_prefix ("OKEBOT_OCI_"; "" when its fields are whole names)."""
    try:
        return model(), []
    except ValidationError as exc:
        return None, validation_problems(exc, prefix=prefix)
    except SettingsError as exc:  # a complex value (a dict, a list) that is not JSON: pydantic-settings' own
        field = re.search(r'for field "([^"]+)"', str(exc))
        variable = prefix + field.group(1).upper() if field else f"an {prefix}* variable"
        return None, [SettingProblem(variable, "is not valid: it must be JSON (e.g. {\"key\": \"value\"})",
                                     FIX_VARIABLE)]


def problems_error(problems: Sequence[SettingProblem]) -> InputError:
    """One InputError for every problem: one line each ("SLACK_BOT_TOKEN should start with 'xoxb-'"), `problems`
    as InputProblems (file "environment", path the variable), and each distinct fix once in the remedy.

    Raises ValueError when there is no problem.
    """
    if not problems:
        raise ValueError("problems_error() needs at least one problem")
    fixes = list(dict.fromkeys(problem.fix for problem in problems))
    return InputError("\n".join(problem.line for problem in problems), remedy="; ".join(fixes) + _SEE,
                      problems=[InputProblem(ENVIRONMENT, None, problem.variable, problem.line)
                                for problem in problems])


def load(model: type[Model], *, prefix: str) -> Model:
    """The settings `model` reads from the environment; InputError naming every variable it could not read."""
    settings, problems = read(model, prefix=prefix)
    if settings is None:
        raise problems_error(problems)
    return settings
