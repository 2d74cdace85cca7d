"""The CLI's core commands: each parses its arguments into a query and hands back a report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from adapters.planfile import dump_plan_yaml, read_plan_path
from bot.answers import answer
from bot.compose import SOURCE_HELP, build_reader
from bot.queries import (
    CapacityQuery,
    ClustersQuery,
    CniQuery,
    DiagnoseQuery,
    ExplainQuery,
    RulesQuery,
    ValidateQuery,
    WhatIfQuery,
)
from engine.errors import InputError
from engine.plan import plan_json_schema, tenancy_to_plan
from engine.usecases import require_cluster

Handler = Callable[[argparse.Namespace], Awaitable[BaseModel | int]]


def common_options() -> argparse.ArgumentParser:
    """--source, --format and --fresh, accepted by every command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--source", default="demo", help=SOURCE_HELP + " (default: demo)")
    common.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    common.add_argument("--fresh", action="store_true", help="bypass the live source's cache")
    return common


def _whole_number(text: str, *, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not least <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"expected {least} to 10000, got {value}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, least=0)


def _max_pods(text: str) -> int:
    # A node that may run no pod at all is not a setting OKE accepts: maxPodsPerNode starts at 1.
    return _whole_number(text, least=1)


def _ocpus(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of OCPUs, got {text!r}") from None
    if not 0 < value <= 512:
        raise argparse.ArgumentTypeError(f"expected more than 0 and at most 512 OCPUs, got {text}")
    return value


def _add(sub: Any, name: str, handler: Handler, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=help_text, description=help_text, parents=[common_options()], **kwargs
    )
    parser.set_defaults(handler=handler)
    return parser


async def _clusters(args: argparse.Namespace) -> BaseModel:
    return await answer(ClustersQuery(), reader=build_reader(args.source))


async def _capacity(args: argparse.Namespace) -> BaseModel:
    query = CapacityQuery(cluster=args.cluster, pool=args.pool, fresh=args.fresh)
    return await answer(query, reader=build_reader(args.source))


async def _cni(args: argparse.Namespace) -> BaseModel:
    return await answer(CniQuery(cluster=args.cluster, fresh=args.fresh), reader=build_reader(args.source))


async def _diagnose(args: argparse.Namespace) -> BaseModel:
    return await answer(DiagnoseQuery(cluster=args.cluster, fresh=args.fresh), reader=build_reader(args.source))


async def _whatif(args: argparse.Namespace) -> BaseModel:
    query = WhatIfQuery(
        cluster=args.cluster,
        pool=args.pool,
        size=args.size,
        shape=args.shape,
        ocpus=args.ocpus,
        max_pods=args.max_pods,
        add_pool=args.add_pool,
        fresh=args.fresh,
    )
    return await answer(query, reader=build_reader(args.source))


async def _validate(args: argparse.Namespace) -> BaseModel:
    # Bytes, never the text stream: a missing stdin (closed, None) is then a clear PlanError, not a crash.
    text, name = read_plan_path(args.plan, stdin=getattr(sys.stdin, "buffer", None))
    query = ValidateQuery(plan_text=text, source_name=name, against=args.against, fresh=args.fresh)
    return await answer(query, reader=build_reader(args.source))


async def _explain(args: argparse.Namespace) -> BaseModel:
    return await answer(ExplainQuery(code=args.code), reader=build_reader("demo"))


async def _rules(args: argparse.Namespace) -> BaseModel:
    if args.code:
        return await answer(ExplainQuery(code=args.code), reader=build_reader("demo"))
    return await answer(RulesQuery(), reader=build_reader("demo"))


async def _plan_export(args: argparse.Namespace) -> int:
    tenancy = await build_reader(args.source).read(clusters=[args.cluster], fresh=args.fresh)
    plan = tenancy_to_plan(tenancy, require_cluster(tenancy, args.cluster))
    text = dump_plan_yaml(plan)
    if args.output:
        _write_new(Path(args.output), text, force=args.force)
    else:
        sys.stdout.write(text)
    return 0


async def _plan_schema(args: argparse.Namespace) -> int:
    import json

    text = json.dumps(plan_json_schema(), indent=2) + "\n"
    if args.output:
        _write_new(Path(args.output), text, force=args.force)
    else:
        sys.stdout.write(text)
    return 0


def _write_new(path: Path, text: str, *, force: bool) -> None:
    """Write a file, refusing to overwrite one that exists unless forced: nothing stored is lost."""
    if path.exists() and not force:
        raise InputError(f"{path} exists; pass --force to overwrite it", where="--output")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}", where="--output") from None


def add_core_commands(sub: Any) -> None:
    """Register the core commands on the top-level subparsers."""
    _add(sub, "clusters", _clusters, "list clusters with their worst finding")
    p = _add(sub, "capacity", _capacity, "pod-network capacity per cluster, node pool and subnet")
    p.add_argument("--cluster", help="cluster name or OCID (default: every cluster)")
    p.add_argument("--pool", help="narrow the node pools shown to this one")
    p = _add(sub, "validate", _validate, "validate a network plan file (YAML or JSON; - for stdin)")
    p.add_argument("plan", help="the plan file, or - to read standard input")
    p.add_argument(
        "--against", metavar="CLUSTER", help="compare with this live cluster and flag what OKE cannot change"
    )
    p = _add(sub, "cni", _cni, "CNI add-on version and nodes waiting for a CNI update")
    p.add_argument("--cluster", help="cluster name or OCID (default: every cluster)")
    p = _add(sub, "diagnose", _diagnose, "every check on one live cluster, worst first")
    p.add_argument("cluster", help="cluster name or OCID")
    p = _add(sub, "whatif", _whatif, "change a node pool of a live cluster and compare capacity before and after")
    p.add_argument("cluster", help="cluster name or OCID")
    p.add_argument("--pool", help="the node pool to change (or to model --add-pool on)")
    p.add_argument("--size", type=_positive_int, help="new node count")
    p.add_argument("--shape", help="new shape, e.g. VM.Standard.E5.Flex")
    p.add_argument("--ocpus", type=_ocpus, help="new OCPUs per node (flex shapes)")
    p.add_argument("--max-pods", type=_max_pods, dest="max_pods", help="new maxPodsPerNode")
    p.add_argument("--add-pool", dest="add_pool", metavar="NAME", help="add a new pool of this name")
    p = _add(sub, "explain", _explain, "what a finding code means, why, and what to do")
    p.add_argument("code", help="a finding code, e.g. POD_SUBNET_TOO_SMALL")
    p.set_defaults(findings_exit=False)
    p = _add(sub, "rules", _rules, "the catalogue of finding codes")
    p.add_argument("code", nargs="?", help="show only this code")
    p.set_defaults(findings_exit=False)
    plan = sub.add_parser("plan", help="plan files: export a live cluster, print the JSON Schema")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="PLAN_COMMAND", parser_class=plan.__class__)
    plan_sub.required = True
    p = _add(plan_sub, "export", _plan_export, "write a live cluster as a plan file (YAML)")
    p.add_argument("cluster", help="cluster name or OCID")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    p = _add(plan_sub, "schema", _plan_schema, "print the plan file's JSON Schema")
    p.add_argument("-o", "--output", help="write to this file instead of standard output")
    p.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
