"""The CLI's question commands, built from the registry (bot/questions.py), and `okebot plan`.

Each question becomes a subcommand whose arguments are the registry's; the values go through the question's
query model, so bounds live there once and a bad value is exit 2 naming the option.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from adapters.planwriter import dump_plan_yaml, plan_data
from bot.answers import answer, ask
from bot.compose import SOURCE_HELP, build_reader
from bot.queries import Query, describe_problem
from bot.questions import QUESTIONS, Argument, Question
from engine.errors import InputError
from engine.plan import plan_json_schema, tenancy_to_plan

Handler = Callable[[argparse.Namespace], Awaitable[BaseModel | int]]


def format_option() -> argparse.ArgumentParser:
    """--format, accepted by every question (in any case: JSON is json)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--format", type=str.lower, choices=("text", "json"), default="text",
                        help="output format: text (tables; coloured on a terminal unless NO_COLOR is set) or json")
    return common


def source_options() -> argparse.ArgumentParser:
    """--source and --fresh, accepted by every command that reads a tenancy."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--source", default="demo", help=SOURCE_HELP + " (default: demo)")
    common.add_argument("--fresh", action="store_true", help="bypass the live source's cache")
    return common


def _cli_name(argument: Argument) -> str:
    return argument.field if argument.cli == "positional" else f"--{argument.key}"


def _add_question(sub: Any, question: Question[Any, Any]) -> None:
    parents = [format_option()] + ([] if question.offline else [source_options()])
    parser: argparse.ArgumentParser = sub.add_parser(
        question.name, help=question.summary, description=question.summary, parents=parents,
        epilog=question.epilog,
    )
    for extra in question.cli_inputs:
        parser.add_argument(extra.name, metavar=extra.metavar, help=extra.help)
    for argument in question.arguments:
        if argument.cli == "positional":
            required = question.query.model_fields[argument.field].is_required()
            parser.add_argument(argument.field, metavar=argument.metavar, help=argument.help,
                                nargs=None if required else "?")
        elif argument.cli == "flag":
            parser.add_argument(f"--{argument.key}", dest=argument.field, action="store_true", default=None,
                                help=argument.help)
        else:
            parser.add_argument(f"--{argument.key}", dest=argument.field, metavar=argument.metavar,
                                help=argument.help)
    parser.set_defaults(handler=_handler(question), question=question)


def _handler(question: Question[Any, Any]) -> Handler:
    async def run(args: argparse.Namespace) -> BaseModel:
        query = query_from_args(question, args)
        if question.offline:
            report: BaseModel = answer(query, None, source="")
            return report
        answered: BaseModel = await ask(query, build_reader(args.source))
        return answered

    return run


def query_from_args(question: Question[Any, Any], args: argparse.Namespace) -> Query[Any]:
    """The question's query from parsed arguments; InputError naming the option when a value is wrong."""
    values: dict[str, object] = {}
    for extra in question.cli_inputs:
        values.update(extra.read(getattr(args, extra.name)))
    for argument in question.arguments:
        value = getattr(args, argument.field, None)
        if value is not None:
            values[argument.field] = value
    if "fresh" in question.query.model_fields:
        values["fresh"] = bool(getattr(args, "fresh", False))
    try:
        query: Query[Any] = question.query.model_validate(values)
        return query
    except ValidationError as exc:
        field, problem = describe_problem(exc, question.query)
        spelled = next((_cli_name(a) for a in question.arguments if a.field == field), field)
        raise InputError(problem, where=spelled) from None


async def _plan_export(args: argparse.Namespace) -> int:
    if args.format == "text" and (args.output or "").lower().endswith(".json"):
        # The reader takes a .json file as JSON, so YAML in it could not be read back.
        raise InputError(f"--format text writes YAML, and {args.output} names a JSON file",
                         where="--format", remedy="leave --format out (a .json file gets JSON), or name a .yaml file")
    tenancy = await build_reader(args.source).read(clusters=[args.cluster], fresh=args.fresh)
    plan = tenancy_to_plan(tenancy, tenancy.require_cluster(args.cluster))
    as_json = args.format == "json" or (args.format is None and (args.output or "").lower().endswith(".json"))
    text = json.dumps(plan_data(plan), indent=2) + "\n" if as_json else dump_plan_yaml(plan)
    _emit(args.output, text, force=args.force)
    return 0


async def _plan_schema(args: argparse.Namespace) -> int:
    _emit(args.output, json.dumps(plan_json_schema(), indent=2) + "\n", force=args.force)
    return 0


def _emit(output: str | None, text: str, *, force: bool) -> None:
    """Write to standard output (no -o, or -o -), else to a new file, saying so on standard error."""
    if output in (None, "-"):
        sys.stdout.write(text)
        return
    path = Path(output)
    _write_new(path, text, force=force)
    sys.stderr.write(f"okebot: wrote {path}\n")


def _write_new(path: Path, text: str, *, force: bool) -> None:
    """Write a file, refusing to overwrite one that exists unless forced (nothing stored is lost) and refusing
    a directory outright, forced or not."""
    if path.is_dir():
        raise InputError(f"{path} is a directory; name a file in it, such as {path / 'plan.yaml'}",
                         where="--output")
    if path.exists() and not force:
        raise InputError(f"{path} exists; pass --force to overwrite it", where="--output")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}", where="--output") from None


def add_core_commands(sub: Any) -> None:
    """Register every question of the registry, and `okebot plan`, on the top-level subparsers."""
    for question in QUESTIONS:
        _add_question(sub, question)
    plan = sub.add_parser("plan", help="plan files: export a live cluster, print the JSON Schema")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="PLAN_COMMAND", parser_class=plan.__class__)
    plan_sub.required = True
    p = plan_sub.add_parser("export", help="write a live cluster as a plan file (YAML, or JSON)",
                            description="write a live cluster as a plan file (YAML, or JSON)",
                            parents=[source_options()])
    p.add_argument("--format", type=str.lower, choices=("text", "json"), default=None,
                   help="text: YAML; json: JSON (default: JSON when --output ends in .json, else YAML)")
    p.add_argument("cluster", help="cluster name or OCID")
    p.add_argument("-o", "--output", help="write to this file instead of standard output (- is standard output)")
    p.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    p.set_defaults(handler=_plan_export)
    p = plan_sub.add_parser("schema", help="print the plan file's JSON Schema",
                            description="print the plan file's JSON Schema")
    p.add_argument("-o", "--output", help="write to this file instead of standard output (- is standard output)")
    p.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    p.set_defaults(handler=_plan_schema)
