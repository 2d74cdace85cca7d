"""How to reach one cluster's API server, read from a kubeconfig.

Two kinds of kubeconfig arrive here: one an operator provides (a file, with a static token), and the YAML text
OCI's `create_kubeconfig` returns, whose user runs `oci ce cluster generate-token`. okebot never runs a
kubeconfig's exec command; it recognises the OKE one and signs the same token in-process (`token.py`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.errors import InputError

_GENERATE_TOKEN = ["ce", "cluster", "generate-token"]


@dataclass(frozen=True)
class OkeTokenExec:
    """The cluster and region an OKE kubeconfig's `oci ce cluster generate-token` exec names."""

    cluster_id: str
    region: str | None


@dataclass(frozen=True)
class ClusterAccess:
    """Endpoint, CA and credentials for one cluster's API server. `token` or `oke_exec` says how to log in."""

    endpoint: str
    ca_pem: str | None = None
    ca_file: str | None = None
    token: str | None = None
    oke_exec: OkeTokenExec | None = None
    verify_tls: bool = True


def load_kubeconfig(path: str | Path, *, context: str | None = None) -> ClusterAccess:
    """Read a kubeconfig file; a relative `certificate-authority` path is resolved against its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the kubeconfig: {exc}", where=str(path)) from exc
    access = parse_kubeconfig(text, context=context, source=str(path))
    if access.ca_file is None:
        return access
    ca_path = path.parent / access.ca_file
    try:
        ca_pem = ca_path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read certificate-authority {ca_path}: {exc}", where=str(path)) from exc
    return ClusterAccess(
        endpoint=access.endpoint, ca_pem=ca_pem, token=access.token, oke_exec=access.oke_exec,
        verify_tls=access.verify_tls,
    )


def parse_kubeconfig(text: str, *, context: str | None = None, source: str = "kubeconfig") -> ClusterAccess:
    """Parse kubeconfig YAML text (an operator's or OCI's create_kubeconfig) into a ClusterAccess."""
    document = _load_yaml(text, source)
    name = context or _string(document.get("current-context"), f"{source}: current-context")
    ctx = _named(document, "contexts", name, source).get("context")
    ctx = _mapping(ctx, f"{source}: contexts[{name}].context")
    cluster_name = _string(ctx.get("cluster"), f"{source}: contexts[{name}].context.cluster")
    user_name = ctx.get("user")
    cluster = _mapping(_named(document, "clusters", cluster_name, source).get("cluster"),
                       f"{source}: clusters[{cluster_name}].cluster")
    where = f"{source}: clusters[{cluster_name}].cluster"
    endpoint = _string(cluster.get("server"), f"{where}.server")
    if not endpoint.startswith(("https://", "http://")):
        raise InputError(f"server {endpoint!r} is not an http(s) URL", where=f"{where}.server")
    ca_pem = _ca_data(cluster.get("certificate-authority-data"), f"{where}.certificate-authority-data")
    ca_file = cluster.get("certificate-authority")
    if ca_file is not None:
        ca_file = _string(ca_file, f"{where}.certificate-authority")
    verify_tls = cluster.get("insecure-skip-tls-verify") is not True
    if user_name is None:
        return ClusterAccess(endpoint=endpoint, ca_pem=ca_pem, ca_file=ca_file, verify_tls=verify_tls)
    user_name = _string(user_name, f"{source}: contexts[{name}].context.user")
    token, oke_exec = _credentials(_named(document, "users", user_name, source), user_name, source)
    return ClusterAccess(
        endpoint=endpoint, ca_pem=ca_pem, ca_file=ca_file, token=token, oke_exec=oke_exec,
        verify_tls=verify_tls,
    )


def _load_yaml(text: str, source: str) -> Mapping[str, Any]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}: line {mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"not valid YAML ({problem})", where=where) from exc
    return _mapping(document, source, what="a kubeconfig mapping (clusters, contexts, users)")


def _named(document: Mapping[str, Any], section: str, name: str, source: str) -> Mapping[str, Any]:
    entries = document.get(section)
    if not isinstance(entries, list):
        raise InputError(f"has no {section} list", where=source)
    for index, entry in enumerate(entries):
        entry = _mapping(entry, f"{source}: {section}[{index}]")
        if entry.get("name") == name:
            return entry
    raise InputError(f"no entry named {name!r}", where=f"{source}: {section}")


def _credentials(
    user_entry: Mapping[str, Any], name: str, source: str
) -> tuple[str | None, OkeTokenExec | None]:
    where = f"{source}: users[{name}].user"
    user = _mapping(user_entry.get("user"), where)
    if user.get("token") is not None:
        return _string(user.get("token"), f"{where}.token"), None
    if user.get("exec") is not None:
        return None, _oke_exec(_mapping(user.get("exec"), f"{where}.exec"), f"{where}.exec")
    raise InputError(
        "has neither a token nor an OKE exec; okebot logs in with bearer tokens only",
        where=where,
        remedy="use the kubeconfig from `oci ce cluster create-kubeconfig` or give the user a token",
    )


def _oke_exec(spec: Mapping[str, Any], where: str) -> OkeTokenExec:
    command = spec.get("command")
    args = spec.get("args") or []
    if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
        raise InputError("args is not a list of strings", where=f"{where}.args")
    if not (isinstance(command, str) and Path(command).name == "oci" and args[:3] == _GENERATE_TOKEN):
        raise InputError(
            f"runs {command!r}; okebot only understands `oci ce cluster generate-token`",
            where=f"{where}.command",
            remedy="give the user a bearer token instead of an exec plugin",
        )
    cluster_id = _option(args, "--cluster-id")
    if cluster_id is None:
        raise InputError("generate-token has no --cluster-id", where=f"{where}.args")
    return OkeTokenExec(cluster_id=cluster_id, region=_option(args, "--region"))


def _option(args: Sequence[str], flag: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == flag and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def _ca_data(value: Any, where: str) -> str | None:
    if value is None:
        return None
    try:
        pem = base64.b64decode(_string(value, where), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InputError("is not base64 of a PEM certificate", where=where) from exc
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise InputError("does not hold a PEM certificate", where=where)
    return pem


def _mapping(value: Any, where: str, *, what: str = "a mapping") -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"is not {what}", where=where)
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError("is missing or not a string", where=where)
    return value
