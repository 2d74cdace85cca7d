"""The Slack area of `okebot config check`: the bot token works (auth.test); in Socket Mode the app token works
too (apps.connections.open, as `okebot serve` opens its connection); the bot token holds every scope the app
manifest asks for (Slack's `x-oauth-scopes` answer header), and the channels okebot.yaml names exist with okebot
in them (conversations.info)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.checks import Check
from bot.slack.connect import SlackUnreachable, check_app_token
from bot.slack.settings import SlackSettings
from engine.errors import InputError
from engine.words import noun, plural

# What deploy/slack-manifest.yml asks for under oauth_config.scopes.bot, and why (a test keeps them equal).
MANIFEST_SCOPES: Mapping[str, str] = {
    "commands": "the /oke slash command",
    "chat:write": "posting answers and digests",
    "files:write": "attaching answers too long for one message",
    "files:read": "the Validate plan shortcut reads an attached plan file",
    "im:write": "sending a long private answer as a file in a direct message",
    "usergroups:read": "group grants in the access policy",
    "channels:history": "finding a digest or alert already posted (by its metadata) before posting it again",
    "groups:history": "the same, in private channels",
}
CHANNEL_SCOPES = "channels:read (public channels) and groups:read (private ones)"
_AUTH_FIXES = {
    "invalid_auth": "SLACK_BOT_TOKEN is wrong: copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
    "not_authed": "SLACK_BOT_TOKEN is empty: copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions",
    "token_revoked": "the token was revoked: reinstall the app to the workspace and copy the new xoxb- token",
    "account_inactive": "the app was uninstalled: reinstall it and copy the new xoxb- token",
}


async def check_slack(settings: SlackSettings, channels: Iterable[str]) -> list[Check]:
    """auth.test, apps.connections.open (when SLACK_APP_TOKEN is set), scopes, then each channel of `channels`
    (bindings and digests), in that order. The app token is checked even when the bot token fails, so one run
    names both; scopes and channels need a bot token Slack accepted."""
    if settings.slack_bot_token is None or not settings.token().startswith("xoxb-"):
        return [Check("slack", "auth.test", "skip", "no usable SLACK_BOT_TOKEN (see settings above)"),
                *await _app_token(settings)]
    client = AsyncWebClient(token=settings.token(), base_url=settings.slack_api_url, timeout=15)
    try:
        answer = await client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error") or f"http_{error.response.status_code}")
        return [Check("slack", "auth.test", "fail", f"Slack refused the token: {code}",
                      _AUTH_FIXES.get(code, "check SLACK_BOT_TOKEN and SLACK_API_URL")),
                *await _app_token(settings)]
    except Exception as error:  # aiohttp's connection errors, timeouts: Slack could not be reached
        return [Check("slack", "auth.test", "fail", f"could not reach {settings.slack_api_url}: "
                      f"{type(error).__name__}: {error}", "check SLACK_API_URL and the network path to Slack")]
    who = f"{answer.get('user')} ({answer.get('user_id')}) in {answer.get('team')} ({answer.get('team_id')})"
    checks = [Check("slack", "auth.test", "pass", f"authenticated as {who}"), *await _app_token(settings)]
    granted = _scopes(answer.headers)
    checks.append(_scope_check(granted))
    checks += await _channels(client, list(dict.fromkeys(channels)))
    return checks


async def _app_token(settings: SlackSettings) -> list[Check]:
    """Socket Mode's app token, asked of Slack as `okebot serve` uses it: apps.connections.open (the WebSocket
    URL it hands out is left unused and expires). Nothing in HTTP mode (no SLACK_APP_TOKEN)."""
    if settings.slack_app_token is None or not settings.app_token().strip():
        return []
    name = "apps.connections.open"
    if not settings.app_token().startswith("xapp-"):
        return [Check("slack", name, "skip", "no usable SLACK_APP_TOKEN (see settings above)")]
    client = AsyncWebClient(base_url=settings.slack_api_url, timeout=15)
    try:
        await check_app_token(client, settings.app_token())
    except InputError as refused:
        return [Check("slack", name, "fail", refused.message, refused.remedy)]
    except SlackUnreachable as unreachable:
        return [Check("slack", name, "fail", f"could not reach {settings.slack_api_url} to check SLACK_APP_TOKEN: "
                      f"{unreachable.reason}", "check SLACK_API_URL and the network path to Slack, then run the "
                                               "check again")]
    except Exception as error:  # anything else slack_sdk raises: the check never raises
        return [Check("slack", name, "fail", f"apps.connections.open: {type(error).__name__}: {error}",
                      "check SLACK_API_URL and SLACK_APP_TOKEN, then run the check again")]
    return [Check("slack", name, "pass", "Slack accepts SLACK_APP_TOKEN for Socket Mode")]


def _scopes(headers: Mapping[str, object]) -> set[str] | None:
    for name, value in headers.items():
        if name.lower() == "x-oauth-scopes":
            text = ",".join(value) if isinstance(value, list) else str(value)
            return {scope.strip() for scope in text.split(",") if scope.strip()}
    return None


def _scope_check(granted: set[str] | None) -> Check:
    if granted is None:
        return Check("slack", "scopes", "skip", "Slack sent no x-oauth-scopes header, so scopes were not checked")
    missing = [scope for scope in MANIFEST_SCOPES if scope not in granted]
    if not missing:
        return Check("slack", "scopes", "pass", "every scope deploy/slack-manifest.yml asks for is granted")
    named = "; ".join(f"{scope} ({MANIFEST_SCOPES[scope]})" for scope in missing)
    return Check("slack", "scopes", "fail", f"missing {noun(len(missing), 'scope')}: {named}",
                 "add " + ", ".join(missing) + " under OAuth & Permissions → Bot Token Scopes (as in "
                 "deploy/slack-manifest.yml), reinstall the app, and use the new token if it changed")


async def _channels(client: AsyncWebClient, channels: list[str]) -> list[Check]:
    checks: list[Check] = []
    for channel in channels:
        try:
            info = await client.conversations_info(channel=channel)
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if code == "missing_scope":
                return [*checks, Check("slack", "channels", "skip",
                                       f"{plural(len(channels), 'channel')} not checked: conversations.info needs "
                                       f"{CHANNEL_SCOPES}, which the manifest does not ask for",
                                       f"grant {CHANNEL_SCOPES} to let config check verify channels")]
            if code == "channel_not_found":
                checks.append(Check("slack", f"channel {channel}", "fail",
                                    f"no channel {channel} that okebot can see",
                                    "check the id (channel details → About); for a private channel, "
                                    "/invite @okebot there first"))
            else:
                checks.append(Check("slack", f"channel {channel}", "fail", f"conversations.info: {code}",
                                    "check the channel id and the app's scopes"))
            continue
        except Exception as error:
            checks.append(Check("slack", f"channel {channel}", "fail",
                                f"conversations.info: {type(error).__name__}: {error}", "retry"))
            continue
        data = info.get("channel") or {}
        name = f"#{data.get('name')}" if data.get("name") else channel
        if data.get("is_archived"):
            checks.append(Check("slack", f"channel {channel}", "fail", f"{name} is archived",
                                "unarchive it, or bind and post to another channel"))
        elif not data.get("is_member"):
            checks.append(Check("slack", f"channel {channel}", "fail", f"okebot is not in {name}",
                                f"/invite @okebot in {name} (needed to post digests and attach long answers)"))
        else:
            checks.append(Check("slack", f"channel {channel}", "pass", f"{name} exists and okebot is in it"))
    return checks
