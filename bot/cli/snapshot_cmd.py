"""`okebot snapshot -o FILE`: record a live tenancy (read-only) into a snapshot file.

Replay it with `--source snapshot:FILE`. With --redact, OCIDs, names and public IPs are replaced by
consistent tokens so the file can be shared with support. What could not be read is listed in the file's
"errors" and summarised on stderr; the snapshot is still written.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from engine.access import is_compartment_ocid
from engine.errors import InputError
from engine.words import plural


def add_parser(subparsers: Any) -> None:
    """Register `okebot snapshot`."""
    parser = subparsers.add_parser("snapshot", help="record a live tenancy into a snapshot file",
                                   description=__doc__)
    parser.add_argument("-o", "--output", required=True, help="file to write, or - for stdout")
    parser.add_argument("--compartment", action="append", default=[], metavar="OCID",
                        help="compartment to read (repeatable; default OKEBOT_OCI_COMPARTMENTS or the tenancy)")
    parser.add_argument("--recursive", action="store_true", help="also read every compartment below")
    parser.add_argument("--cluster", action="append", default=None, metavar="NAME_OR_OCID",
                        help="read only this cluster (repeatable)")
    parser.add_argument("--redact", action="store_true", help="replace OCIDs, names and public IPs with tokens")
    parser.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--quiet", action="store_true", help="no progress on stderr")
    progress.add_argument("--progress", action="store_true",
                          help="progress on stderr even when it is not a terminal (default: only on a terminal)")


async def run(args: argparse.Namespace) -> int:
    """Record, optionally redact, write; 0 when the file was written."""
    from adapters.oci.recorder import record_snapshot
    from adapters.oci.redact import redact_document
    from bot.compose import oci_settings

    if not args.output.strip():
        raise InputError("the output path is empty", where="--output",
                         remedy="name a file, such as snapshot.json, or - for standard output")
    output = None if args.output == "-" else Path(args.output)
    if output is not None and output.is_dir():
        raise InputError(f"{output} is a directory; name a file in it, such as {output / 'snapshot.json'}",
                         where="--output")
    if output is not None and output.exists() and not args.force:
        # Checked before reading anything: a long recording must not end in refusing to write it.
        raise InputError(f"{output} exists; pass --force to overwrite it", where="--output")
    if output is not None and not output.parent.is_dir():
        raise InputError(f"{output.parent} is not a directory that exists; create it, or write elsewhere",
                         where="--output")
    for compartment in args.compartment:
        if not is_compartment_ocid(compartment):
            raise InputError(f"{compartment!r} is not a compartment OCID (ocid1.compartment.… or, for the root, the "
                             "tenancy's ocid1.tenancy.…)", where="--compartment")
    updates: dict[str, Any] = {}
    if args.compartment:
        updates["compartment_ids"] = list(args.compartment)
    if args.recursive:
        updates["recursive"] = True
    settings = oci_settings().model_copy(update=updates)
    show = args.progress or (not args.quiet and sys.stderr.isatty())
    progress = (lambda message: print(f"okebot snapshot: {message}", file=sys.stderr)) if show else None
    doc = await record_snapshot(settings, clusters=args.cluster, progress=progress)
    # The summary below names the real ids: it goes to the person who ran the command, not into the file.
    text = json.dumps(redact_document(doc) if args.redact else doc, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(_write_atomically, output, text)
    errors = doc.get("errors") or []
    if errors:
        print(f"okebot snapshot: {plural(len(errors), 'object')} could not be read; see \"errors\" in the snapshot",
              file=sys.stderr)
        for error in errors[:10]:
            print(f"  {error['kind']} {error['id']}: {error['status']} {error['code']} "
                  f"(opc-request-id {error['opcRequestId']})", file=sys.stderr)
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename: an interrupted write never leaves half a snapshot."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc.strerror}", where="--output") from None
