"""The project's error tree. Adapters translate outside errors into these once, at the boundary.

    EngineError
    ├── InputError            bad user input: a plan, a snapshot, okebot.yaml, a setting, a command argument
    │   │                     (exit code 2); `problems` lists each problem where it is, when there are several
    │   ├── PlanError         a plan file that cannot be read as a plan
    │   └── SnapshotError     a snapshot file that cannot be read as a snapshot
    ├── NotFoundError         a cluster, node pool or shape the question names does not exist
    │   └── ClusterNotFoundError  the one "no such cluster" error, listing the clusters there are
    ├── AccessDeniedError     the asker may not see or do this
    └── SourceError           the tenancy could not be read (OCI, Kubernetes), with OCI's request id
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class EngineError(Exception):
    """Root of every error okebot raises on purpose.

    Args:
        message: what went wrong, for a person.
        remedy: what to do about it, when there is something to do.
    """

    def __init__(self, message: str, *, remedy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy


@dataclass(frozen=True)
class InputProblem:
    """One problem of some input where it is: the file (or "environment" for an environment variable), its line
    (None when unknown or for a variable), the key path in that input's own terms ("nodePools[1].maxPodsPerNode"
    in a plan, "digests.0.schedule" in okebot.yaml, the variable's name in the environment; "" for the whole
    file) and what is wrong: enough for a CI annotation. JSON: {"file", "line", "path", "message"}."""

    file: str
    line: int | None
    path: str
    message: str


PlanProblem = InputProblem
"""The name plan files used first; the same shape."""

ENVIRONMENT = "environment"
"""`InputProblem.file` of a problem with an environment variable."""


class InputError(EngineError):
    """Bad input: names the field, line or argument that was wrong.

    Args:
        message: what is wrong; with several problems, one per line (the first on the first line).
        where: where the (first) problem is, prefixed to the message ("okebot.yaml line 3 (access)").
        remedy: what to do about it.
        problems: every problem found, each where it is (empty when the input had one problem of its own kind,
            such as a file that could not be read: `where` says where).
    """

    def __init__(self, message: str, *, where: str | None = None, remedy: str | None = None,
                 problems: Sequence[InputProblem] = ()) -> None:
        super().__init__(f"{where}: {message}" if where else message, remedy=remedy)
        self.where = where
        self.problems = tuple(problems)


def merged(errors: Sequence[InputError]) -> InputError:
    """One InputError saying everything `errors` say: each one's lines in order (so every problem is on a line
    of its own), every problem, and each distinct remedy once. The one error itself when there is one.

    Raises ValueError when `errors` is empty.
    """
    if not errors:
        raise ValueError("merged() needs at least one error")
    if len(errors) == 1:
        return errors[0]
    remedies = list(dict.fromkeys(error.remedy for error in errors if error.remedy))
    return InputError("\n".join(error.message for error in errors), remedy="; ".join(remedies) or None,
                      problems=[problem for error in errors for problem in problems_of(error)])


def problems_of(error: InputError) -> tuple[InputProblem, ...]:
    """The error's problems; for an error of one problem that lists none, that problem, placed in the file its
    `where` names (line and path unknown)."""
    if error.problems:
        return error.problems
    where = error.where or ""
    message = error.message.removeprefix(f"{where}: ") if where else error.message
    return (InputProblem(file=where, line=None, path="", message=message),)


class PlanError(InputError):
    """A plan file that is not a valid plan. `problems` lists every problem found, each where it is; a problem
    of the whole file (not YAML, too large) leaves it empty and `where` says where."""


class SnapshotError(InputError):
    """A snapshot file that is not a valid snapshot."""


class NotFoundError(EngineError):
    """Something the question names does not exist in the source."""


class ClusterNotFoundError(NotFoundError):
    """No cluster of that name or OCID in the source; the message suggests the closest name and lists the
    clusters there are.

    Args:
        ref: the name or OCID asked for.
        known: the names of the clusters the source holds (or, from `among`, those the asker may see).
        where: the source, for the message (for example "snapshot demo-tenancy.json").
    """

    def __init__(self, ref: str, known: Iterable[str] | None, *, where: str | None = None) -> None:
        names = sorted(known, key=str.casefold) if known is not None else []
        place = f" in {where}" if where else ""
        close = difflib.get_close_matches(ref, names, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        listed = "" if known is None else f" (clusters: {', '.join(names) or 'none'})"
        super().__init__(
            f"no cluster {ref!r}{place}{hint}{listed}",
            remedy="name one of those clusters, by name or OCID" if names else "name a cluster by name or OCID",
        )
        self.ref = ref
        self.known = tuple(names)
        self.where = where

    def among(self, visible: Iterable[str] | None) -> ClusterNotFoundError:
        """The same error listing only the `visible` clusters (those the asker's channel may see; None: list
        none), so a reply never names a cluster the channel could not ask about."""
        if visible is None:
            return ClusterNotFoundError(self.ref, None, where=self.where)
        allowed = set(visible)
        return ClusterNotFoundError(self.ref, [name for name in self.known if name in allowed], where=self.where)


class AccessDeniedError(EngineError):
    """The asker is not allowed to see or do this."""


class SourceError(EngineError):
    """A source (OCI, Kubernetes) could not be read.

    Args:
        status: the HTTP status, when there was one.
        code: the service's error code (for example "NotAuthorizedOrNotFound").
        request_id: OCI's opc-request-id, for support tickets.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        remedy: str | None = None,
    ) -> None:
        super().__init__(message, remedy=remedy)
        self.status = status
        self.code = code
        self.request_id = request_id
