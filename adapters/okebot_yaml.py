"""Read okebot.yaml whole: its sections (`access:` and `digests:`, nothing else), each checked even when another
is wrong, so one run names every mistake in the file.

    access:  ...   # adapters/access_config.py, docs/access-control.md
    digests: ...   # adapters/digest_config.py, docs/digests.md

`read_config` reports what it found (the policy, the digests, every problem, every warning) for `okebot config
check`; `load_config` is what `okebot serve` and `okebot run` start from: the policy and digests, or one
InputError listing every problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from adapters.access_config import channel_name_warnings, read_access
from adapters.digest_config import read_digests
from adapters.yaml_lines import problems_error, read_yaml, unknown_sections
from engine.access import AccessPolicy
from engine.digest.definition import DigestDefinition
from engine.errors import InputError, InputProblem

REMEDY = ("see docs/configuration.md (access: docs/access-control.md, digests: docs/digests.md) and "
          "deploy/okebot.example.yaml")


@dataclass(frozen=True)
class ConfigRead:
    """What a read of okebot.yaml found.

    Attributes:
        policy: the `access:` policy; None when that section has a problem.
        digests: the digests without a problem (all of them when `problems` names none under `digests`).
        problems: every problem in the file, in line order: the file's shape (`path` "" or an unknown
            top-level key), then `access.…` and `digests.…` keys.
        warnings: what works but is likely a mistake (a channel bound by its name rather than its ID).
    """

    policy: AccessPolicy | None
    digests: tuple[DigestDefinition, ...]
    problems: tuple[InputProblem, ...]
    warnings: tuple[InputProblem, ...]

    def error(self) -> InputError | None:
        """One InputError naming every problem (None when there is none)."""
        return problems_error(self.problems, remedy=REMEDY) if self.problems else None


@dataclass(frozen=True)
class OkebotConfig:
    """okebot.yaml with no problem: its access policy, its digests and its warnings (to log)."""

    policy: AccessPolicy
    digests: tuple[DigestDefinition, ...]
    warnings: tuple[InputProblem, ...]


def read_config(path: Path) -> ConfigRead:
    """Read okebot.yaml at `path` and check every section.

    Raises InputError only when the file cannot be read at all (missing, unreadable, not UTF-8, not YAML);
    every other problem is in the result.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise problems_error([InputProblem(str(path), None, "", f"cannot read the file: {exc}")],
                             remedy=REMEDY) from exc
    return read_config_text(text, source=str(path))


def read_config_text(text: str, *, source: str = "okebot.yaml") -> ConfigRead:
    """`read_config` of a document's text; `source` names it in every problem."""
    document = read_yaml(text, source, remedy=REMEDY)
    policy, access_problems = read_access(document.data, document.lines, source)
    digests, digest_problems = read_digests(document.data, document.lines, source)
    problems = [*document.problems, *unknown_sections(document.data, document.lines, source), *access_problems,
                *digest_problems]
    return ConfigRead(policy=policy, digests=digests,
                      problems=tuple(sorted(problems, key=lambda p: p.line or 0)),
                      warnings=tuple(channel_name_warnings(document.data, document.lines, source)))


def load_config(path: Path) -> OkebotConfig:
    """okebot.yaml at `path`, every section checked; InputError listing every problem (`problems`), the first
    as its headline and each further one on a line of its own."""
    found = read_config(path)
    if found.problems or found.policy is None:  # no policy without a problem in access:
        raise problems_error(found.problems, remedy=REMEDY)
    return OkebotConfig(policy=found.policy, digests=found.digests, warnings=found.warnings)
