"""Whole messages and views: an answer with its buttons, help, usage, errors, the modals and the Home tab."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.slack.escape import code, escape, plain, unescape
from bot.slack.ids import ActionId, BlockId, ButtonValue, CallbackId, InputId, ModalMetadata
from bot.slack.parse import ADMIN_SUBCOMMANDS, USAGE, usage_line
from bot.slack.render.kit import (
    MAX_VIEW_BLOCKS,
    Block,
    actions,
    button,
    context,
    fit,
    header,
    section,
)
from engine.findings import Finding
from engine.reports import ClusterSummary
from engine.words import sentence

FALLBACK_CHARS = 300
WHATIF_FIELD_CHARS = 255  # no pool or shape name is longer; keeps a what-if near a button's size


@dataclass(frozen=True)
class Message:
    """What okebot sends: blocks plus the plain-text fallback Slack shows in notifications."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    left_out: int = 0



def fallback_text(blocks: Sequence[Block]) -> str:
    """A short summary of blocks: the first header and the first line of the first section.

    The top-level `text` is mrkdwn too, so the header's plain text is escaped; section text already is.
    """
    parts: list[str] = []
    for block in blocks:
        if block["type"] == "header" and not parts:
            parts.append(escape(block["text"]["text"]))
        elif block["type"] == "section":
            parts.append(block["text"]["text"].split("\n", 1)[0])
            break
    return plain(": ".join(parts) or "okebot answer", limit=FALLBACK_CHARS)


def answer_message(body: Sequence[Block], *, command: str | None, shareable: bool) -> Message:
    """An answer's blocks, fitted to Slack's limits, with Refresh (and Share) buttons if re-askable."""
    if command is None:  # a pasted plan is not re-asked from a button
        blocks, left_out = fit(body, reserve=1)  # room for a "full answer attached" note
        return Message(text=fallback_text(blocks), blocks=blocks, left_out=left_out)
    if not ButtonValue.fits(command):
        blocks, left_out = fit(body, reserve=2)
        blocks.append(context("This question is too long to re-run from a button; ask it again with `/oke`."))
        return Message(text=fallback_text(blocks), blocks=blocks, left_out=left_out)
    buttons = [
        button(
            "Refresh",
            action_id=ActionId.REFRESH,
            value=ButtonValue(command=command, fresh=True).model_dump_json(),
        )
    ]
    if shareable:
        buttons.append(
            button(
                "Share in channel",
                action_id=ActionId.SHARE,
                value=ButtonValue(command=command).model_dump_json(),
                style="primary",
            )
        )
    blocks, left_out = fit(body, reserve=2)
    blocks.append(actions(buttons, block_id=BlockId.ANSWER_ACTIONS))
    return Message(text=fallback_text(blocks), blocks=blocks, left_out=left_out)


def help_message(topic: str | None = None) -> Message:
    """`/oke help`: every subcommand with its syntax, or one subcommand's."""
    names = [topic] if topic else list(USAGE)
    asks = [_help_line(n) for n in names if n not in ADMIN_SUBCOMMANDS]
    admin = [_help_line(n) for n in names if n in ADMIN_SUBCOMMANDS]
    blocks = [header("okebot: OKE pod-network capacity and plan checks")]
    if asks:
        blocks.append(section("\n".join(asks)))
    if admin:
        blocks.append(section("*Admin* (needs the admin role; changes apply at once, for every channel):\n"
                              + "\n".join(admin)))
    blocks.append(context("Answers are private to you; *Share in channel* posts one for everyone."))
    return Message(text="okebot help: " + ", ".join(names), blocks=blocks)


def _help_line(subcommand: str) -> str:
    return f"{code(usage_line(subcommand))}  {escape(USAGE[subcommand][1])}"


def usage_message(subcommand: str | None, problem: str) -> Message:
    """A malformed command: what was wrong and how to write it."""
    if subcommand is None:
        usage = "\n".join(code(usage_line(n)) for n in USAGE)
    else:
        usage = code(usage_line(subcommand)) + f"  {escape(USAGE[subcommand][1])}"
    text = f":warning: {escape(problem)}\n*Usage:*\n{usage}"
    return Message(text=f"{escape(sentence(problem))} Try /oke help", blocks=[section(text)])


def error_message(message: str, *, remedy: str | None = None, error_id: str | None = None) -> Message:
    """A failure, said kindly: the reason, what to do, and an error id when it is okebot's own fault."""
    text = f":warning: {escape(message)}"
    if remedy:
        text += f"\n_What to do:_ {escape(remedy)}"
    if error_id:
        text += f"\nError id {code(error_id)}: quote it when you report this."
    return Message(text=plain(escape(message), limit=FALLBACK_CHARS), blocks=[section(text)])


def queued_message(ahead: int) -> Message:
    """Sent privately when a question has to wait for others to be answered first."""
    noun = "question" if ahead == 1 else "questions"
    text = f":hourglass_flowing_sand: Working on it — {ahead} {noun} ahead of yours."
    return Message(text=plain(text, limit=FALLBACK_CHARS), blocks=[context(text)])


def restarted_message() -> Message:
    """Sent privately when okebot stopped (a restart, a rollout) before it could answer."""
    text = ":arrows_counterclockwise: okebot restarted before it could answer this. Please ask again."
    return Message(text="okebot restarted before it could answer this. Please ask again.", blocks=[section(text)])


def restarted_home() -> Block:
    """The Home tab when okebot restarted while drawing it."""
    return {"type": "home", "blocks": [section("okebot restarted while drawing this tab. Open it again.")]}


def _input(
    block_id: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = True,
    initial: str | None = None,
    placeholder: str | None = None,
    max_length: int | None = None,
) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": InputId.VALUE, "multiline": multiline}
    if max_length is not None:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": plain(placeholder, limit=150)}
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "element": element,
        "label": {"type": "plain_text", "text": plain(label, limit=2000)},
    }


def _modal(callback_id: str, title: str, blocks: list[Block], metadata: ModalMetadata) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata.model_dump_json(),
        "title": {"type": "plain_text", "text": plain(title, limit=24)},
        "submit": {"type": "plain_text", "text": "Check"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


# Slack caps a plain_text_input at 3,000 characters (a real plan is longer: upload it as a file) and a
# placeholder at 150; this one is a whole plan that okebot reads as VALID.
MAX_PASTED_PLAN = 3000
PLAN_PLACEHOLDER = ("apiVersion: okebot.plan/v1\ncluster: {name: c,cni: flannel}\nvcn: {name: v,cidrs: [10.0.0.0/16]}\n"
                    "subnets: [{name: w,roles: [workers],cidr: 10.0.0.0/24}]")
PLAN_FILE_TYPES = ("yaml", "yml", "json")


def validate_modal(metadata: ModalMetadata, *, plan_text: str | None = None) -> Block:
    """The modal to check a network plan (YAML or JSON): pasted (up to 3,000 characters, Slack's cap on a text
    input) or uploaded as one file (.yaml, .yml, .json), optionally against a live cluster."""
    blocks = [
        section(f"Paste a short plan, or upload the plan file: Slack takes at most {MAX_PASTED_PLAN:,} characters "
                "in the box, and a whole plan is usually longer. A plan posted in a message can also be checked "
                "with the *Validate plan* message shortcut."),
        _input(
            BlockId.PLAN_TEXT,
            f"Network plan (YAML or JSON, up to {MAX_PASTED_PLAN:,} characters)",
            multiline=True,
            initial=plan_text,
            placeholder=PLAN_PLACEHOLDER,
            max_length=MAX_PASTED_PLAN,
        ),
        {
            "type": "input",
            "block_id": BlockId.PLAN_FILE,
            "optional": True,
            "label": {"type": "plain_text", "text": "Or upload the plan file (.yaml, .yml or .json, up to 5 MiB)"},
            "element": {"type": "file_input", "action_id": InputId.VALUE, "filetypes": list(PLAN_FILE_TYPES),
                        "max_files": 1},
        },
        _input(BlockId.AGAINST, "Check against live cluster (optional)", initial=metadata.cluster),
    ]
    return _modal(CallbackId.VALIDATE_MODAL, "Check a network plan", blocks, metadata)


def view_text(view: Block) -> str:
    """A modal as text, for `okebot run`: its title, what each block says or asks for (with its limits and
    placeholder), and its buttons; so the form can be read and tried without Slack."""
    lines = [f"[modal] {view.get('title', {}).get('text', '')}"]
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            element = block.get("element", {})
            extra = []
            if element.get("type") == "file_input":
                extra.append(f"file: {', '.join(element.get('filetypes', []))}, at most {element.get('max_files')}")
            if element.get("max_length"):
                extra.append(f"at most {element['max_length']:,} characters")
            extra.append("optional" if block.get("optional") else "required")
            lines.append(f"  [{block.get('label', {}).get('text', '')}] ({'; '.join(extra)})")
            placeholder = element.get("placeholder", {}).get("text")
            if placeholder:
                lines.extend(f"      | {line}" for line in placeholder.split("\n"))
            if element.get("initial_value"):
                lines.append(f"      = {element['initial_value']}")
        elif block.get("type") in ("section", "context", "header"):
            text = block.get("text", {}).get("text") or " ".join(e.get("text", "") for e in block.get("elements", []))
            lines.append(f"  {unescape(text)}")
    buttons = [view.get(key, {}).get("text") for key in ("submit", "close")]
    lines.append("  " + " / ".join(f"[{b}]" for b in buttons if b))
    return "\n".join(lines)


def whatif_modal(metadata: ModalMetadata) -> Block:
    """The what-if form for one cluster: which pool, and what to change."""
    blocks: list[Block] = [
        section(f"What if {code(metadata.cluster or '?')} changed? Leave a field empty to keep it."),
        _input(BlockId.WHATIF_POOL, "Node pool to change", max_length=WHATIF_FIELD_CHARS),
        _input(BlockId.WHATIF_SIZE, "New size (nodes)", max_length=WHATIF_FIELD_CHARS),
        _input(BlockId.WHATIF_SHAPE, "New shape", max_length=WHATIF_FIELD_CHARS),
        _input(BlockId.WHATIF_OCPUS, "OCPUs per node", max_length=WHATIF_FIELD_CHARS),
        _input(BlockId.WHATIF_MAX_PODS, "Max pods per node", max_length=WHATIF_FIELD_CHARS),
        _input(BlockId.WHATIF_ADD_POOL, "Or add a pool named", max_length=WHATIF_FIELD_CHARS),
    ]
    return _modal(CallbackId.WHATIF_MODAL, "What-if", blocks, metadata)


def _home_line(summary: ClusterSummary) -> str:
    worst: Finding | None = summary.worst
    verdict = (
        f"{escape(worst.severity)} {code(worst.code)} {escape(worst.message)}"
        if worst
        else ":white_check_mark: no findings"
    )
    return f"*{escape(summary.name)}* · {escape(summary.cni)} · {summary.node_pools} pools\n{verdict}"


def home_view(clusters: Sequence[ClusterSummary], *, source: str) -> Block:
    """The App Home tab: the clusters this user may see, each with its worst finding."""
    blocks: list[Block] = [header("Your OKE clusters")]
    if clusters:
        blocks += [section(_home_line(c)) for c in clusters]
    else:
        blocks.append(section("There are no clusters you may see."))
    blocks.append(context(f"Source: {escape(source)} · `/oke help` for commands"))
    fitted, _ = fit(blocks, max_blocks=MAX_VIEW_BLOCKS)
    return {"type": "home", "blocks": fitted}
