"""`okebot config check` end to end: the CLI against the fake Slack Web API and the fake OCI server (the real
slack_sdk and oci SDK over HTTP), a real okebot.yaml and a real SQLite store."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import yaml
from pydantic import SecretStr

from adapters.fakes.oci_server import FakeOciServer
from adapters.fakes.oci_tenancy import generate_tenancy
from adapters.fakes.slack_api import FakeSlackApi
from adapters.fakes.slack_workspace import DEFAULT_SCOPES
from adapters.oci.probe import PROBES, missing_statement
from adapters.store.factory import open_store
from bot.checks.slack import MANIFEST_SCOPES, check_slack
from bot.cli.config_cmd import render_table
from bot.cli.main import main
from bot.slack.settings import SlackSettings
from tests.adapters.oci import conftest as oci_conftest
from tests.adapters.store.conftest import drop_schema, postgres_dsn  # noqa: F401 (the fixture)
from tests.adapters.store.test_factory import closed_port

oci_config_file = oci_conftest.oci_config_file
ROOT = Path(__file__).resolve().parents[3]
COMPARTMENT = "ocid1.compartment.oc1..gen0"
CONFIG = """\
access:
  users: {UADMIN: admin}
  channels:
    C0PAY: {clusters: [payments]}
digests:
  - name: daily
    channel: C0DIGEST
    schedule: "0 9 * * 1-5"
    timezone: Europe/Berlin
"""


@dataclass
class World:
    slack: FakeSlackApi
    oci: FakeOciServer
    config: Path
    store_url: str


@pytest.fixture
async def world(tmp_path: Path, oci_config_file: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    config = tmp_path / "okebot.yaml"
    config.write_text(CONFIG)
    store_url = f"sqlite:///{tmp_path}/okebot.db"
    await (await open_store(store_url)).close()  # migrated, as a started okebot leaves it
    async with FakeSlackApi(scopes=(*DEFAULT_SCOPES, "channels:read")) as slack, \
            FakeOciServer(generate_tenancy(clusters=1, pools_per_cluster=1, nodes_per_pool=1)) as oci:
        slack.add_channel("C0PAY", name="payments")
        slack.add_channel("C0DIGEST", name="capacity")
        for name in [name for name in os.environ if name.startswith(("OKEBOT_", "SLACK_"))]:
            monkeypatch.delenv(name)
        env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": slack.base_url,
               "OKEBOT_CONFIG": str(config), "OKEBOT_STORE_URL": store_url,
               "OKEBOT_OCI_CONFIG_FILE": str(oci_config_file), "OKEBOT_OCI_ENDPOINT": oci.url,
               "OKEBOT_OCI_COMPARTMENTS": COMPARTMENT}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield World(slack, oci, config, store_url)


async def check(*args: str) -> tuple[int, dict[str, Any]]:
    """Run `okebot config check --format json ARGS` in a thread (main() runs its own loop), the fakes on ours."""
    out = io.StringIO()

    def call() -> int:
        with redirect_stdout(out):
            return main(["config", "check", "--format", "json", *args])

    code = await asyncio.to_thread(call)
    return code, json.loads(out.getvalue())


async def check_text(*args: str) -> str:
    """What `okebot config check ARGS` prints as text."""
    out = io.StringIO()

    def call() -> int:
        with redirect_stdout(out):
            return main(["config", "check", *args])

    await asyncio.to_thread(call)
    return out.getvalue()


def failures(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in report["checks"] if not c["ok"]]


async def test_everything_configured_passes(world: World):
    code, report = await check()
    assert failures(report) == []
    assert code == 0
    assert report["ok"] is True
    areas = {c["area"] for c in report["checks"] if c["status"] == "pass"}
    assert areas == {"settings", "config", "slack", "oci", "store"}
    names = {c["name"] for c in report["checks"]}
    assert {"auth.test", "apps.connections.open", "scopes", "channel C0PAY", "channel C0DIGEST", "admins",
            "digests:"} <= names
    assert {f"read virtual-network-family in {COMPARTMENT}", f"read cluster-family in {COMPARTMENT}",
            f"read instances in {COMPARTMENT}"} <= names
    assert all(set(c) >= {"area", "name", "ok", "detail", "fix"} for c in report["checks"])


async def test_a_missing_scope_is_named(world: World):
    world.slack.scopes = tuple(s for s in world.slack.scopes if s != "usergroups:read")
    code, report = await check()
    [failed] = failures(report)
    assert code == 1
    assert failed["name"] == "scopes"
    assert "usergroups:read (group grants in the access policy)" in failed["detail"]
    assert "files:write" not in failed["detail"]
    assert "usergroups:read" in failed["fix"]


async def test_a_missing_iam_permission_is_named_as_the_statement_to_add(world: World):
    world.oci.deny("list_vcns")
    code, report = await check()
    [failed] = failures(report)
    assert code == 1
    assert failed["name"] == f"read virtual-network-family in {COMPARTMENT}"
    assert failed["detail"].startswith("list_vcns: 404 NotAuthorizedOrNotFound (opc-request-id fake-")
    assert failed["fix"].startswith(
        f"missing: Allow group <the group of the OCI config's user> to read virtual-network-family in compartment "
        f"{COMPARTMENT}")


async def test_a_forbidden_service_in_one_compartment_names_that_compartment(world: World, monkeypatch):
    other = "ocid1.compartment.oc1..other"
    monkeypatch.setenv("OKEBOT_OCI_COMPARTMENTS", f"{COMPARTMENT},{other}")
    world.oci.deny("list_shapes", compartment=other, status=403)
    _, report = await check()
    assert [f["name"] for f in failures(report)] == [f"read instances in {other}"]


async def test_a_channel_okebot_is_not_in_or_that_does_not_exist_fails_with_the_fix(world: World):
    world.slack.add_channel("C0DIGEST", name="capacity", is_member=False)
    world.slack.conversations.pop("C0PAY")
    code, report = await check()
    by_name = {f["name"]: f for f in failures(report)}
    assert code == 1
    assert by_name["channel C0DIGEST"]["detail"] == "okebot is not in #capacity"
    assert "/invite @okebot in #capacity" in by_name["channel C0DIGEST"]["fix"]
    assert by_name["channel C0PAY"]["detail"] == "no channel C0PAY that okebot can see"


async def test_without_channels_read_the_channels_are_skipped_not_failed(world: World):
    world.slack.scopes = DEFAULT_SCOPES
    code, report = await check()
    [skipped] = [c for c in report["checks"] if c["name"] == "channels"]
    assert code == 0
    assert skipped["status"] == "skip"
    assert "channels:read" in skipped["detail"]


async def test_a_revoked_token_is_named(world: World):
    world.slack.fail("auth.test", "token_revoked", times=None)
    _, report = await check()
    [failed] = failures(report)
    assert failed["detail"] == "Slack refused the token: token_revoked"
    assert "reinstall" in failed["fix"]


async def test_the_app_token_is_checked_with_apps_connections_open_as_socket_mode_uses_it(world: World):
    _, report = await check()
    [app] = [c for c in report["checks"] if c["name"] == "apps.connections.open"]
    assert (app["area"], app["status"]) == ("slack", "pass")
    assert app["detail"] == "Slack accepts SLACK_APP_TOKEN for Socket Mode"
    [opened] = world.slack.calls_to("apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-test"


@pytest.mark.parametrize("error", ["invalid_auth", "not_allowed_token_type", "token_revoked"])
async def test_an_app_token_slack_refuses_fails_with_the_fix_though_the_bot_token_works(world: World, error: str):
    world.slack.fail("apps.connections.open", error, times=None)
    code, report = await check()
    [failed] = failures(report)
    assert code == 1
    assert (failed["area"], failed["name"]) == ("slack", "apps.connections.open")
    assert failed["detail"] == f"Slack refused SLACK_APP_TOKEN (apps.connections.open: {error})"
    assert "App-Level Token (xapp-…) with the connections:write scope" in failed["fix"]


async def test_both_tokens_slack_refuses_are_named_in_one_run(world: World):
    world.slack.fail("auth.test", "invalid_auth", times=None)
    world.slack.fail("apps.connections.open", "invalid_auth", times=None)
    _, report = await check()
    assert [f["name"] for f in failures(report)] == ["auth.test", "apps.connections.open"]


async def test_an_app_token_slack_cannot_be_asked_about_fails_as_unreachable(world: World):
    world.slack.fail("apps.connections.open", "internal_error", status=503, times=None)
    _, report = await check()
    [failed] = failures(report)
    assert failed["name"] == "apps.connections.open"
    assert failed["detail"].startswith(f"could not reach {world.slack.base_url} to check SLACK_APP_TOKEN: ")
    assert "network path to Slack" in failed["fix"]


async def test_in_http_mode_no_app_token_is_checked(world: World, monkeypatch):
    monkeypatch.delenv("SLACK_APP_TOKEN")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    _, report = await check()
    assert "apps.connections.open" not in {c["name"] for c in report["checks"]}
    assert world.slack.calls_to("apps.connections.open") == []


async def test_an_app_token_check_that_cannot_reach_slack_says_so():
    settings = SlackSettings(slack_bot_token=None, slack_app_token=SecretStr("xapp-test"),
                             slack_api_url=f"http://127.0.0.1:{closed_port()}/")
    checks = await check_slack(settings, [])
    assert [(c.name, c.status) for c in checks] == [("auth.test", "skip"), ("apps.connections.open", "fail")]
    assert checks[1].detail.startswith(f"could not reach {settings.slack_api_url} to check SLACK_APP_TOKEN: ")
    assert "network path to Slack" in (checks[1].fix or "")


async def test_no_network_touches_neither_slack_nor_oci_and_says_so(world: World):
    code, report = await check("--no-network")
    assert code == 0
    skipped = {c["area"] for c in report["checks"] if c["status"] == "skip" and "--no-network" in c["detail"]}
    assert skipped == {"slack", "oci", "kubernetes"}
    assert world.slack.calls == []
    assert world.oci.total_calls == 0
    assert any(c["area"] == "store" and c["status"] == "pass" for c in report["checks"])


@pytest.mark.parametrize(("text", "where"), [
    ("access:\n  users: {U1: root}\n", "line 2 (access.users.U1)"),
    ("access: {}\ndigests:\n  - {name: a, channel: C1X, schedule: '61 * * * *'}\n", "line 3 (digests.0.schedule)"),
    ("access: {}\ndigests:\n  - {name: a, channel: general, schedule: every 6h}\n", "line 3 (digests.0.channel)"),
    ("access: {}\ndigests:\n  - {channel: C1X, schedule: every 6h}\n", "line 3 (digests.0.name)"),
])
async def test_a_bad_okebot_yaml_is_exit_2_naming_where(world: World, text: str, where: str):
    world.config.write_text(text)
    code, report = await check("--no-network")
    assert code == 2
    [failed] = failures(report)
    assert where in failed["detail"]
    assert failed["fix"]


@pytest.mark.parametrize("text", ["", "- a\n- b\n"], ids=["empty", "a-list"])
async def test_a_file_that_is_no_mapping_fails_once_and_nothing_of_it_passes(world: World, text: str):
    world.config.write_text(text)
    code, report = await check("--no-network")
    assert code == 2
    config = [(c["name"], c["status"]) for c in report["checks"] if c["area"] == "config"]
    assert config == [("okebot.yaml", "fail")]


async def test_an_unreadable_setting_is_exit_2_and_every_one_is_named(world: World, monkeypatch):
    monkeypatch.setenv("OKEBOT_OCI_CONCURRENCY", "lots")
    monkeypatch.setenv("OKEBOT_OCI_CACHE_TTL", "-5")
    code, report = await check("--no-network")
    [failed] = failures(report)
    assert code == 2
    assert "OKEBOT_OCI_CONCURRENCY" in failed["detail"]
    assert "OKEBOT_OCI_CACHE_TTL" in failed["detail"]


async def test_a_store_without_tables_passes_as_serve_creates_them_and_the_check_creates_none(
        world: World, tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path}/empty.db"
    (tmp_path / "empty.db").write_bytes(b"")
    monkeypatch.setenv("OKEBOT_STORE_URL", url)
    code, report = await check("--no-network")
    [store] = [c for c in report["checks"] if c["area"] == "store"]
    assert code == 0
    assert store["status"] == "pass"
    assert store["detail"] == f"{tmp_path}/empty.db holds no okebot tables yet; okebot serve creates them at start"
    assert (tmp_path / "empty.db").read_bytes() == b""


async def test_the_admin_check_counts_grants_stored_at_run_time(world: World):
    world.config.write_text("access: {}\n")
    _, before = await check("--no-network")
    [admins] = [c for c in before["checks"] if c["name"] == "admins"]
    assert admins["status"] == "warn"
    store = await open_store(world.store_url)
    from engine.access import Role, RoleGrant

    await store.put_role_grant(RoleGrant(kind="user", subject="U0BOSS", role=Role.ADMIN))
    await store.close()
    _, after = await check("--no-network")
    [admins] = [c for c in after["checks"] if c["name"] == "admins"]
    assert admins["detail"].startswith("user U0BOSS")


async def test_the_text_table_marks_and_fixes_and_falls_back_to_ascii(world: World, monkeypatch):
    world.oci.deny("list_clusters")
    from bot.checks.run import run_checks

    report = await run_checks()
    fancy = render_table(report, unicode=True)
    plain = render_table(report, unicode=False)
    assert re.search(r"^✗\s+oci\s+read cluster-family in \S+\s+list_clusters: 404", fancy, re.MULTILINE)
    assert "fix: missing: Allow group" in fancy
    assert "✓" in fancy
    assert plain.isascii() or "→" in plain or "…" in plain  # details may quote typographic text, marks never
    assert re.search(r"^FAIL\s+oci", plain, re.MULTILINE)
    assert re.search(r"^ok\s+settings", plain, re.MULTILINE)
    assert plain.rstrip().splitlines()[-1].startswith("okebot config check: FAILED (")


def test_the_scopes_checked_are_the_manifests():
    manifest = yaml.safe_load((ROOT / "deploy" / "slack-manifest.yml").read_text())
    assert set(MANIFEST_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])


def test_every_statement_the_check_can_name_is_in_the_iam_policy():
    policy = (ROOT / "deploy" / "iam-policy.txt").read_text()
    for _, _, permission in PROBES:
        statement = missing_statement(permission, "config", "<compartment>")
        assert statement.replace("group <the group of the OCI config's user>", "group <group>") in policy


# ---- every problem at once ----

async def test_every_mistake_in_okebot_yaml_is_listed_at_once_in_text_and_in_json(world: World):
    from tests.adapters.test_okebot_yaml import EXPECTED, NINE_MISTAKES

    world.config.write_text(NINE_MISTAKES)
    code, report = await check("--no-network")
    assert code == 2
    assert [(p["line"], p["path"]) for p in report["problems"]] == [(line, path) for line, path, _ in EXPECTED]
    assert all(set(p) == {"file", "line", "path", "message"} and p["file"] == str(world.config)
               for p in report["problems"])
    [digests] = failures(report)
    assert digests["name"] == "digests:"
    assert len(digests["detail"].splitlines()) == len(EXPECTED)
    text = await check_text("--no-network")
    listed = [found for found in re.findall(r"line (\d+) \((\S+)\): ", text)]
    assert listed == [(str(line), path) for line, path, _ in EXPECTED]
    assert len([row for row in text.splitlines() if re.search(r"line \d+ \(digests\.", row)]) == len(EXPECTED)
    assert "more problem" not in text


@pytest.mark.parametrize(("text", "said"), [
    ("access: {}\ndigest:\n  - {name: a, channel: C0A, schedule: every 6h}\n",
     "line 2 (digest): unknown section 'digest'; did you mean digests?"),
    ("access: {}\nfoo: 1\n", "line 2 (foo): unknown section 'foo'"),
])
async def test_an_unknown_top_level_key_fails_the_check_instead_of_being_ignored(world: World, text: str, said: str):
    world.config.write_text(text)
    code, report = await check("--no-network")
    assert code == 2
    [failed] = failures(report)
    assert failed["name"] == "okebot.yaml"
    assert said in failed["detail"]
    assert [c["detail"] for c in report["checks"] if c["name"] == "digests:"] == ["no digests configured"]


async def test_access_and_digests_are_both_checked_when_access_is_wrong(world: World):
    world.config.write_text("access:\n  users: {U1: root}\ndigests:\n  - {name: a, channel: C1X, schedule: "
                            "'61 * * * *'}\n")
    code, report = await check("--no-network")
    assert code == 2
    assert {f["name"]: [p for p in f["detail"].splitlines()] for f in failures(report)} == {
        "access:": [f"{world.config} line 2 (access.users.U1): Input should be 'viewer', 'operator' or 'admin'"],
        "digests:": [f"{world.config} line 4 (digests.0.schedule): minute field '61' is out of range (0–59)"],
    }


async def test_every_settings_group_is_read_and_every_bad_variable_named(world: World, monkeypatch):
    bad = {"SLACK_BOT_TOKEN": "foo", "OKEBOT_ANSWER_CONCURRENCY": "abc", "OKEBOT_SAMPLE_INTERVAL_SECONDS": "3",
           "OKEBOT_OCI_CONCURRENCY": "999", "OKEBOT_STORE_URL": "mysql://x", "OKEBOT_SCHEDULER_TICK_SECONDS": "abc",
           "OKEBOT_RATE_LIMIT_RETRIES": "50"}
    for name, value in bad.items():
        monkeypatch.setenv(name, value)
    code, report = await check("--no-network")
    assert code == 2
    named = {p["path"] for p in report["problems"] if p["file"] == "environment"}
    assert named == set(bad)
    assert all(p["line"] is None for p in report["problems"])
    groups = {f["name"] for f in failures(report)}
    assert {"SLACK_* and OKEBOT_*", "OKEBOT_* scheduled jobs", "OKEBOT_OCI_*", "SLACK_BOT_TOKEN"} <= groups
    assert any(c["name"] == "digests:" and c["status"] == "pass" for c in report["checks"]), \
        "okebot.yaml is still checked"
    [store] = [c for c in report["checks"] if c["area"] == "store"]
    assert store["status"] == "skip"
    assert "abc" not in json.dumps(report)  # a value may be a secret: never echoed


async def test_a_channel_bound_by_its_name_is_a_warning_with_how_to_find_its_id(world: World):
    world.config.write_text("access:\n  users: {UADMIN: admin}\n  channels:\n    general: {clusters: [payments]}\n"
                            "    '#payments': {clusters: [payments]}\n    C0PAY: {clusters: [payments]}\n")
    code, report = await check()
    warned = {c["name"]: c for c in report["checks"] if c["status"] == "warn"}
    assert code == 0
    assert set(warned) == {"access.channels.general", "access.channels.#payments"}
    assert "looks like a channel name, not a channel ID" in warned["access.channels.general"]["detail"]
    assert "Channel ID at the bottom of the About tab" in warned["access.channels.general"]["fix"]
    asked = {c["name"] for c in report["checks"] if c["area"] == "slack"}
    assert "channel C0PAY" in asked
    assert not any("general" in name or "payments" in name.removeprefix("channel C0PAY") for name in asked)


# ---- the store: a new PostgreSQL database passes, as okebot serve creates its tables ----

@dataclass
class Schema:
    dsn: str
    name: str

    @property
    def url(self) -> str:
        return f"{self.dsn}{'&' if '?' in self.dsn else '?'}schema={self.name}"


@pytest.fixture
async def schema(postgres_dsn: str) -> AsyncIterator[Schema]:  # noqa: F811 (the imported fixture)
    """A PostgreSQL schema no one has created yet, dropped afterwards if something did."""
    place = Schema(postgres_dsn, f"okebot_check_{uuid.uuid4().hex[:12]}")
    yield place
    await drop_schema(postgres_dsn, place.name)


async def test_an_empty_postgresql_database_passes_as_serve_creates_the_tables_and_the_check_creates_none(
        world: World, monkeypatch, schema: Schema):
    monkeypatch.setenv("OKEBOT_STORE_URL", schema.url)
    code, report = await check()
    [store] = [c for c in report["checks"] if c["area"] == "store"]
    assert (code, store["status"]) == (0, "pass")
    assert store["detail"] == "reachable; holds no okebot tables yet; okebot serve creates them at start"
    conn = await asyncpg.connect(schema.dsn)
    try:
        assert await conn.fetchval("SELECT to_regnamespace($1)", schema.name) is None
    finally:
        await conn.close()


async def test_an_older_postgresql_schema_warns_that_serve_migrates_it(world: World, monkeypatch, schema: Schema):
    from adapters.store.migrations import MIGRATIONS
    from adapters.store.postgres import PostgresStore

    await (await PostgresStore.open(schema.dsn, schema=schema.name, migrations=MIGRATIONS[:1])).close()
    monkeypatch.setenv("OKEBOT_STORE_URL", schema.url)
    code, report = await check()
    [store] = [c for c in report["checks"] if c["area"] == "store"]
    assert (code, store["status"]) == (0, "warn")
    assert store["detail"].startswith(f"reachable; schema version {MIGRATIONS[0].version}, this okebot needs")
    assert "applies the missing migrations" in store["fix"]


async def test_a_postgresql_user_who_may_not_create_the_tables_fails_with_the_grant_to_add(
        world: World, monkeypatch, schema: Schema):
    role = f"okebot_weak_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(schema.dsn)
    await admin.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        parts = urlsplit(schema.url)
        weak = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}")
        monkeypatch.setenv("OKEBOT_STORE_URL", urlunsplit(weak))
        code, report = await check()
    finally:
        await admin.execute(f'DROP ROLE "{role}"')
        await admin.close()
    [store] = [c for c in report["checks"] if c["area"] == "store"]
    assert (code, store["status"]) == (1, "fail")
    assert "may not create its tables" in store["detail"]
    assert store["fix"].startswith("GRANT CREATE ON SCHEMA")


# ---- a source other than oci ----

async def test_a_snapshot_source_checks_its_file_instead_of_oci(world: World, tmp_path: Path):
    snapshot = tmp_path / "tenancy.json"
    snapshot.write_text("{}")
    code, report = await check("--no-network", "--source", f"snapshot:{snapshot}")
    assert code == 0
    assert [(c["area"], c["status"]) for c in report["checks"] if c["area"] == "source"] == [("source", "pass")]
    code, report = await check("--no-network", "--source", f"snapshot:{tmp_path}/missing.json")
    [failed] = failures(report)
    assert code == 1
    assert failed["detail"] == f"the snapshot file {tmp_path}/missing.json does not exist"
    assert "extraVolumes" in failed["fix"]
    assert world.oci.total_calls == 0


async def test_the_demo_source_reads_no_tenancy_and_needs_no_oci_settings(world: World, monkeypatch):
    monkeypatch.setenv("OKEBOT_OCI_AUTH", "oke_workload_identity")
    code, report = await check("--source", "demo")
    assert code == 0
    assert {c["area"]: c["status"] for c in report["checks"] if c["area"] in ("oci", "kubernetes")} == {
        "oci": "skip", "kubernetes": "skip"}
    assert world.oci.total_calls == 0
