"""From text to a validated `SnapshotDocument`, with every failure as a `SnapshotError` naming where.

JSON syntax errors name the line and column; shape errors name the JSON path (`subnets[3].cidrBlock`).

Speed: a recorded tenancy of a hundred clusters is ~20 MB, most of it `privateIps`. Text is parsed with
pydantic-core's JSON parser (about twice as fast as `json.loads`), and well-formed `privateIps` are counted
per subnet in one loop instead of becoming 100,000 validated objects. Whenever the fast path meets anything
irregular it steps aside: the standard library parser and full validation then produce the same result, and
the same error message, as they always did.
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import NoReturn

import pydantic_core
from pydantic import ValidationError

from adapters.snapshot.document import IpCounts, SnapshotDocument
from engine.errors import SnapshotError

SNAPSHOT_FORMAT = "okebot.snapshot/v1"
_BOM = b"\xef\xbb\xbf"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REMEDY = "Record the snapshot again with `okebot snapshot`, or fix the field named; docs/snapshot-format.md."


def parse_snapshot_text(text: str | bytes, *, source: str) -> dict[str, object]:
    """Parse snapshot JSON text into a mapping; syntax errors name line and column.

    Bytes are parsed as they are (UTF-8, an optional byte-order mark), without a decoded copy beside them.
    """
    try:
        parsed = _fast_json(text)
    except ValueError:  # the standard parser below says what is wrong, in the words it always used
        parsed = _slow_json(_decoded(text, source=source), source=source)
    if not isinstance(parsed, dict):
        raise SnapshotError(
            f"expected a JSON object at the top, found {_json_type(parsed)}", where=source, remedy=_REMEDY
        )
    return parsed


def _fast_json(text: str | bytes) -> object:
    """pydantic-core's parser: NaN and Infinity are refused, as `json.loads` here refuses them; bytes must be
    UTF-8. ValueError for anything it does not take, empty text included."""
    if isinstance(text, bytes) and text.startswith(_BOM):
        text = text[len(_BOM):]
    return pydantic_core.from_json(text, allow_inf_nan=False)


def _decoded(text: str | bytes, *, source: str) -> str:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SnapshotError(f"not UTF-8 text (byte {exc.start})", where=source, remedy=_REMEDY) from exc
    return text


def _slow_json(text: str, *, source: str) -> object:
    if not text.strip():
        raise SnapshotError("the file is empty; expected a JSON object", where=source, remedy=_REMEDY)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", where=source, remedy=_REMEDY
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise SnapshotError(f"invalid JSON: {_short(str(exc))}", where=source, remedy=_REMEDY) from exc


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while a document is parsed and converted.

    Parsing and conversion allocate hundreds of thousands of objects and free none of them, so the collector
    would walk the growing document again and again (a third of the time on a 20 MB snapshot); JSON and the
    models hold no reference cycles, so nothing waits for it. It resumes as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def take_private_ips(doc: dict[str, object]) -> IpCounts | None:
    """Count the private IPs per (subnet, VNIC) of a document the caller owns, and remove them from it.

    The document then holds far less while it is converted; pass the counts to `validate_document`. When the
    IPs are not a plain list of objects with a string `subnetId`, the document is left as it is (None):
    full validation reads them and names what is wrong.
    """
    counts = _private_ip_counts(doc)
    if counts is not None:
        del doc[_PRIVATE_IPS]
    return counts


def validate_document(
    doc: Mapping[str, object], *, source: str, private_ip_counts: IpCounts | None = None
) -> SnapshotDocument:
    """Check the format marker and the shape of every kind; errors name the JSON path.

    `private_ip_counts`: the document's private IPs, already counted (`take_private_ips`).
    """
    if not isinstance(doc, Mapping):
        raise SnapshotError(
            f"expected a JSON object at the top, found {_json_type(doc)}", where=source, remedy=_REMEDY
        )
    marker = doc.get("format")
    if marker != SNAPSHOT_FORMAT:
        found = "no format" if marker is None else f"format {_short(repr(marker))}"
        raise SnapshotError(
            f'expected "{SNAPSHOT_FORMAT}", found {found}', where=f"{source}: format", remedy=_REMEDY
        )
    counts = private_ip_counts if private_ip_counts is not None else _private_ip_counts(doc)
    try:
        if counts is None:
            return SnapshotDocument.model_validate(doc)
        wire = SnapshotDocument.model_validate({k: v for k, v in doc.items() if k != _PRIVATE_IPS})
        return wire.with_private_ip_counts(counts)
    except ValidationError as exc:
        _raise_validation(exc, source=source)
    except RecursionError as exc:
        raise SnapshotError("the document is nested too deeply", where=source, remedy=_REMEDY) from exc


_PRIVATE_IPS = "privateIps"


def _private_ip_counts(doc: Mapping[str, object]) -> IpCounts | None:
    """Private IPs per (subnet id, VNIC id) when `privateIps` is a plain list of objects with a string
    `subnetId` and a string or absent `vnicId`.

    None when the kind is missing or anything in it is irregular: full validation then reads it (and names
    the item that is wrong). A document spelling the kind by its Python name takes the full path too.
    """
    items = doc.get(_PRIVATE_IPS)
    if type(items) is not list or "private_ips" in doc:
        return None
    if not set(map(type, items)) <= {dict}:
        return None
    try:
        keys = [(item["subnetId"], item.get("vnicId")) for item in items]
    except KeyError:
        return None
    if not {type(subnet) for subnet, _ in keys} <= {str} or not {type(vnic) for _, vnic in keys} <= {str, type(None)}:
        return None
    return Counter(keys)


def json_path(loc: Sequence[int | str]) -> str:
    """Render a pydantic error location as a JSON path: `subnets[3].cidrBlock`, `addons["ocid1..."]`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            path += f".{part}" if path else part
        else:
            path += f"[{json.dumps(part)}]"
    return path or "(top)"


def fail(message: str, *, source: str, path: str) -> NoReturn:
    """Raise a SnapshotError about one field of the document."""
    raise SnapshotError(message, where=f"{source}: {path}", remedy=_REMEDY)


def _raise_validation(exc: ValidationError, *, source: str) -> NoReturn:
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    path = json_path([part for part in first["loc"] if part != "[key]"])
    raise SnapshotError(f"{_short(first['msg'])}{more}", where=f"{source}: {path}", remedy=_REMEDY) from None


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    if value is None:
        return "null"
    return names.get(type(value), type(value).__name__)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
