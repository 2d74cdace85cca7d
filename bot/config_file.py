"""Finding okebot.yaml, the one configuration file (sections `access:` and `digests:`).

Search order (docs/configuration.md):

1. `OKEBOT_CONFIG` (or the deprecated `OKEBOT_ACCESS_CONFIG`): that file, which must exist;
2. `./okebot.yaml`, in the working directory;
3. `/etc/okebot/okebot.yaml` (where the Helm chart mounts it).

With none of them, the built-in default policy applies: everyone is a viewer and nobody is an admin.
`find_config` is used by everything that loads the file (`build_deps`, so `okebot serve` and `okebot run`, and
`okebot config check`), so they all load the same one and say the same about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from engine.access import AccessPolicy, Role, RoleGrant, with_overrides
from engine.errors import InputError

if TYPE_CHECKING:
    from adapters.okebot_yaml import OkebotConfig

DEFAULT_PATHS: tuple[Path, ...] = (Path("okebot.yaml"), Path("/etc/okebot/okebot.yaml"))
DEFAULT_POLICY_NOTE = "the built-in default policy applies: everyone is a viewer and nobody is an admin"
_REMEDY = "point OKEBOT_CONFIG at an existing okebot.yaml, or unset it to use the default search paths"


class ConfigSettings(Protocol):
    """The two settings that name the file (SlackSettings has both)."""

    @property
    def okebot_config(self) -> Path | None: ...

    @property
    def okebot_access_config(self) -> Path | None: ...


@dataclass(frozen=True)
class FoundConfig:
    """Which okebot.yaml applies and why.

    Attributes:
        path: the file to load, or None when there is none (the built-in default policy applies).
        reason: a sentence for logs and `config check`: which setting or search path chose it, or where
            okebot looked.
        warning: a deprecation or conflict to log (OKEBOT_ACCESS_CONFIG), else None.
    """

    path: Path | None
    reason: str
    warning: str | None = None


def find_config(settings: ConfigSettings, *, defaults: Sequence[Path] = DEFAULT_PATHS) -> FoundConfig:
    """The okebot.yaml these settings select, searching `defaults` in order when no variable names one.

    Raises InputError (where = the variable) when OKEBOT_CONFIG or OKEBOT_ACCESS_CONFIG names a file that does
    not exist: a file asked for by name is never silently replaced by the default policy.
    """
    named, legacy = settings.okebot_config, settings.okebot_access_config
    if named is not None:
        warning = None
        if legacy is not None and legacy != named:
            warning = f"OKEBOT_ACCESS_CONFIG={legacy} is ignored: OKEBOT_CONFIG={named} is set"
        return FoundConfig(_existing(named, "OKEBOT_CONFIG"), f"OKEBOT_CONFIG={named}", warning)
    if legacy is not None:
        warning = "OKEBOT_ACCESS_CONFIG is deprecated and will be removed; set OKEBOT_CONFIG instead"
        return FoundConfig(_existing(legacy, "OKEBOT_ACCESS_CONFIG"), f"OKEBOT_ACCESS_CONFIG={legacy}", warning)
    for candidate in defaults:
        if candidate.is_file():
            return FoundConfig(candidate, f"{_shown(candidate)}: the first default path that exists "
                                          "(OKEBOT_CONFIG is not set)")
    looked = " nor ".join(_shown(path) for path in defaults) or "nowhere"
    return FoundConfig(None, f"no okebot.yaml: OKEBOT_CONFIG is not set and there is none at {looked}; "
                             + DEFAULT_POLICY_NOTE)


def load_config(found: FoundConfig) -> OkebotConfig:
    """The found file's access policy, digests and warnings, or the built-in default policy and no digests when
    there is no file. InputError listing every problem of the file (each with its line and key)."""
    from adapters.okebot_yaml import OkebotConfig
    from adapters.okebot_yaml import load_config as load_file

    if found.path is None:
        return OkebotConfig(policy=AccessPolicy(), digests=(), warnings=())
    return load_file(found.path)


def admins(policy: AccessPolicy, stored: Iterable[RoleGrant] = ()) -> list[str]:
    """Who is an admin, by the file's grants with `stored` ones (from the store) laid over them:
    "user U123", "group @sre"; ["everyone"] when the default role is admin. Empty when nobody is."""
    if policy.default_role is Role.ADMIN:
        return ["everyone"]
    merged = with_overrides(policy, bindings=(), grants=stored)
    return [f"{g.kind} {g.subject}" for g in merged.grants if g.role is Role.ADMIN]


def no_admin_warning(found: FoundConfig) -> str:
    """The start-up warning when nobody is an admin: who cannot do what, and the fix."""
    where = str(found.path) if found.path is not None else "okebot.yaml (see docs/configuration.md)"
    return ("nobody is an okebot admin, so no one can bind channels, grant roles or read the audit log; "
            f"grant one in {where}: access: {{users: {{U…: admin}}}}")


def _existing(path: Path, variable: str) -> Path:
    if not path.is_file():
        problem = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise InputError(f"{path} {problem}", where=variable, remedy=_REMEDY)
    return path


def _shown(path: Path) -> str:
    return f"./{path}" if not path.is_absolute() and not str(path).startswith(".") else str(path)
