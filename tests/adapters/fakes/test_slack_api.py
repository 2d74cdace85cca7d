"""The fake Slack Web API, driven by the real slack_sdk client over HTTP: what it keeps and how it answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.fakes.slack_api import FakeSlackApi
from adapters.fakes.slack_workspace import BOT_USER, DEFAULT_SCOPES, Message

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack-manifest.yml"
DIGEST = {"event_type": "okebot_digest", "event_payload": {"digest": "d1", "slot": "2026-11-26T09:00Z"}}


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
def client(fake: FakeSlackApi) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.base_url)


async def test_auth_test_names_the_granted_scopes_in_the_x_oauth_scopes_header():
    async with FakeSlackApi(scopes=("commands", "chat:write")) as fake:
        answer = await AsyncWebClient(token="xoxb-test", base_url=fake.base_url).auth_test()
    assert answer["user_id"] == BOT_USER
    assert answer.headers["x-oauth-scopes"] == "commands,chat:write"


def test_by_default_the_fake_grants_the_scopes_the_app_manifest_asks_for():
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert set(DEFAULT_SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])


async def test_posted_messages_are_kept_per_channel_with_unique_increasing_ts_and_their_metadata(
    fake: FakeSlackApi, client: AsyncWebClient
):
    first = await client.chat_postMessage(channel="C1", text="one", metadata=DIGEST)
    await client.chat_postMessage(channel="C2", text="elsewhere")
    third = await client.chat_postMessage(channel="C1", text="two", thread_ts=first["ts"])
    assert float(first["ts"]) < float(third["ts"])
    assert first["ts"] < third["ts"]
    assert [(m.text, m.metadata, m.thread_ts) for m in fake.messages_in("C1")] == [
        ("one", DIGEST, None), ("two", None, first["ts"])]
    assert [m.ts for m in fake.messages_in("C1")] == [first["ts"], third["ts"]]
    assert [m.text for m in fake.messages_in("C2")] == ["elsewhere"]


async def test_history_lists_the_channels_messages_newest_first_with_metadata_only_when_asked(
    client: AsyncWebClient
):
    await client.chat_postMessage(channel="C1", text="older", metadata=DIGEST)
    await client.chat_postMessage(channel="C1", text="newer")
    plain = await client.conversations_history(channel="C1")
    assert [m["text"] for m in plain["messages"]] == ["newer", "older"]
    assert all("metadata" not in m for m in plain["messages"])
    full = await client.conversations_history(channel="C1", include_all_metadata=True)
    assert full["messages"][1]["metadata"] == DIGEST
    assert full["messages"][1]["bot_id"]
    assert (await client.conversations_history(channel="C-empty"))["messages"] == []


async def test_history_pages_by_limit_and_cursor_and_keeps_to_oldest_and_latest(
    fake: FakeSlackApi, client: AsyncWebClient
):
    posted = [fake.post("C1", f"m{n}") for n in range(5)]
    page = await client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in page["messages"]] == ["m4", "m3"]
    assert page["has_more"] is True
    rest = await client.conversations_history(channel="C1", limit=10, cursor=page["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["m2", "m1", "m0"]
    assert rest["has_more"] is False
    between = await client.conversations_history(channel="C1", oldest=posted[1].ts, latest=posted[3].ts)
    assert [m["text"] for m in between["messages"]] == ["m2"]
    inclusive = await client.conversations_history(channel="C1", oldest=posted[1].ts, latest=posted[3].ts,
                                                   inclusive=True)
    assert [m["text"] for m in inclusive["messages"]] == ["m3", "m2", "m1"]


async def test_files_upload_v2_keeps_the_bytes_and_where_they_were_shared(fake: FakeSlackApi, client: AsyncWebClient):
    parent = await client.chat_postMessage(channel="C1", text="digest")
    done = await client.files_upload_v2(channel="C1", thread_ts=parent["ts"], content=b"\x89PNG chart",
                                        filename="chart.png", title="Pod subnet", initial_comment="trend")
    (upload,) = fake.uploads.values()
    assert done["file"]["id"] == upload.file_id
    assert (upload.filename, upload.content, upload.title) == ("chart.png", b"\x89PNG chart", "Pod subnet")
    assert (upload.completed, upload.channel_id, upload.thread_ts) == (True, "C1", parent["ts"])
    shared = fake.messages_in("C1")[-1]
    assert (shared.text, shared.thread_ts, shared.files[0]["id"]) == ("trend", parent["ts"], upload.file_id)


async def test_an_upload_completed_without_a_channel_stays_private(fake: FakeSlackApi, client: AsyncWebClient):
    await client.files_upload_v2(content="full answer", filename="answer.txt")
    (upload,) = fake.uploads.values()
    assert (upload.completed, upload.channel_id, upload.content) == (True, None, b"full answer")
    assert fake.messages_in("C1") == []


async def test_conversations_open_gives_a_direct_message_channel_an_answer_can_be_attached_in(
    fake: FakeSlackApi, client: AsyncWebClient
):
    opened = await client.conversations_open(users="U42")
    channel = opened["channel"]["id"]
    assert channel.startswith("D")
    await client.files_upload_v2(channel=channel, content="answer", filename="answer.txt")
    (upload,) = fake.uploads.values()
    assert upload.channel_id == channel


async def test_an_injected_error_is_slacks_http_200_with_ok_false_for_the_first_n_calls_only(
    fake: FakeSlackApi, client: AsyncWebClient
):
    fake.fail("chat.postMessage", "channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C1", text="x")
        assert refused.value.response.status_code == 200
        assert refused.value.response["error"] == "channel_not_found"
    await client.chat_postMessage(channel="C1", text="x")
    assert [m.text for m in fake.messages_in("C1")] == ["x"]
    assert len(fake.calls_to("chat.postMessage")) == 3
    await client.auth_test()  # other methods were never affected


async def test_an_injected_error_without_a_count_lasts(fake: FakeSlackApi, client: AsyncWebClient):
    fake.fail("conversations.history", "missing_scope", times=None)
    for _ in range(3):
        with pytest.raises(SlackApiError, match="missing_scope"):
            await client.conversations_history(channel="C1")


async def test_a_rate_limit_is_http_429_with_retry_after(fake: FakeSlackApi, client: AsyncWebClient):
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel="C1", text="x")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "7"


async def test_a_test_can_set_history_up_without_a_call(fake: FakeSlackApi, client: AsyncWebClient):
    fake.post("C1", "from before", metadata=DIGEST)
    (listed,) = (await client.conversations_history(channel="C1", include_all_metadata=True))["messages"]
    assert listed["metadata"] == DIGEST
    assert fake.calls_to("chat.postMessage") == []
    assert fake.messages_in("C1") == [Message(channel="C1", ts=listed["ts"], text="from before", metadata=DIGEST)]
