"""Outbound calls: token endpoints, token caching and refresh, retries with
backoff on 429 and 5xx, and refusing to send our token over http."""
from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import List

import pytest

from bot.channels.teams.config import TeamsConfig
from bot.channels.teams.outbound import (
    BotConnectorClient, DeliveryFailed, InsecureServiceUrl, TokenUnavailable, parse_retry_after,
)
from bot.settings import Settings
from tests.teams.fake_botframework import FakeBotFramework
from tests.teams.harness import APP_ID, make_config

ACTIVITY = {"type": "message", "text": "Hej"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingSleep:
    """Records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: List[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def run_with_fake(scenario, **fake_options):
    async def main():
        fake = await FakeBotFramework(app_id=APP_ID, **fake_options).start()
        try:
            await scenario(fake)
        finally:
            await fake.stop()

    asyncio.run(main())


def client_for(fake, clock=None, sleep=None, **changes) -> BotConnectorClient:
    return BotConnectorClient(make_config(fake, **changes), clock=clock or FakeClock(),
                              sleep=sleep or RecordingSleep())


def test_single_and_multi_tenant_registrations_use_their_token_endpoints():
    env = {"KA_TEAMS_APP_ID": APP_ID, "KA_TEAMS_TENANT_ID": "contoso-tenant-id"}
    single = TeamsConfig.from_settings(Settings.from_env(env))
    multi = TeamsConfig.from_settings(Settings.from_env({"KA_TEAMS_APP_ID": APP_ID}))
    override = TeamsConfig.from_settings(Settings.from_env({**env, "KA_TEAMS_TOKEN_URL": "http://x/t"}))
    assert single.outbound_token_url == \
        "https://login.microsoftonline.com/contoso-tenant-id/oauth2/v2.0/token"
    assert multi.outbound_token_url == \
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert override.outbound_token_url == "http://x/t"


def test_tokens_are_cached_and_refreshed_shortly_before_they_expire():
    clock = FakeClock()

    async def scenario(fake):
        client = client_for(fake, clock=clock)
        try:
            for _ in range(3):
                await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert len(fake.token_requests) == 1
            clock.now += 1800  # halfway through an hour-long token: still cached
            await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert len(fake.token_requests) == 1
            clock.now += 1800 - 299  # less than 5 minutes left: fetch a new one first
            await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert len(fake.token_requests) == 2
            headers = [d.authorization for d in fake.delivered]
            assert headers == [f"Bearer {fake.issued_tokens[0]}"] * 4 + [f"Bearer {fake.issued_tokens[1]}"]
            form = fake.token_requests[0]
            assert form["grant_type"] == "client_credentials"
            assert form["scope"] == "https://api.botframework.com/.default"
            assert form["client_id"] == APP_ID
        finally:
            await client.close()

    run_with_fake(scenario)


def test_short_lived_tokens_are_refreshed_on_expiry():
    clock = FakeClock()

    async def scenario(fake):
        client = client_for(fake, clock=clock)
        try:
            for _ in range(4):
                await client.send_activity(fake.service_url, "a:1", ACTIVITY)
                clock.now += 31  # 60-second tokens are used for half their life
            assert len(fake.token_requests) == 4
            assert len(set(d.authorization for d in fake.delivered)) == 4
        finally:
            await client.close()

    run_with_fake(scenario, token_lifetime=60)


def test_concurrent_sends_share_one_token_fetch():
    async def scenario(fake):
        client = client_for(fake)
        try:
            await asyncio.gather(*(client.send_activity(fake.service_url, f"a:{i}", ACTIVITY)
                                   for i in range(8)))
            assert len(fake.token_requests) == 1 and len(fake.delivered) == 8
        finally:
            await client.close()

    run_with_fake(scenario)


def test_429_and_503_are_retried_with_backoff_and_retry_after_is_honoured():
    sleep = RecordingSleep()

    async def scenario(fake):
        fake.connector_failures.extend([(429, {"Retry-After": "3"}), (503, {}), (502, {})])
        client = client_for(fake, sleep=sleep)
        try:
            answer = await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert answer == {"id": "reply-1"}
            assert fake.connector_calls == 4 and len(fake.delivered) == 1
            assert sleep.waits[0] == 3.0  # Retry-After, longer than the backoff
            assert sleep.waits[1:] == [0.02, 0.04]  # exponential: 0.01 * 2^(n-1)
        finally:
            await client.close()

    run_with_fake(scenario)


def test_it_gives_up_after_the_last_attempt_and_on_an_unreasonable_retry_after():
    async def scenario(fake):
        client = client_for(fake)
        try:
            fake.connector_failures.extend([(503, {})] * 10)
            with pytest.raises(DeliveryFailed):
                await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert fake.connector_calls == 4
            fake.connector_failures.clear()
            fake.connector_failures.append((429, {"Retry-After": "3600"}))
            with pytest.raises(DeliveryFailed):
                await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert fake.connector_calls == 5
            fake.connector_failures.append((400, {}))  # client errors are not retried
            with pytest.raises(DeliveryFailed):
                await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert fake.connector_calls == 6 and fake.delivered == []
        finally:
            await client.close()

    run_with_fake(scenario)


def test_a_rejected_token_is_replaced_once():
    async def scenario(fake):
        client = client_for(fake)
        try:
            await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            fake.issued_tokens.clear()  # the connector no longer accepts our cached token
            await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert len(fake.token_requests) == 2 and len(fake.delivered) == 2
        finally:
            await client.close()

    run_with_fake(scenario)


def test_the_token_endpoint_is_retried_and_a_wrong_secret_is_reported():
    async def scenario(fake):
        fake.token_failures.append((503, {}))
        client = client_for(fake)
        try:
            await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert len(fake.token_requests) == 2 and len(fake.delivered) == 1
        finally:
            await client.close()
        wrong = client_for(fake, app_password="not-the-secret")
        try:
            with pytest.raises(TokenUnavailable, match="invalid_client"):
                await wrong.send_activity(fake.service_url, "a:1", ACTIVITY)
        finally:
            await wrong.close()

    run_with_fake(scenario)


def test_our_token_is_never_sent_to_an_http_service_url_off_this_machine():
    async def scenario(fake):
        client = client_for(fake)
        try:
            for url in ("http://smba.example.net/teams/", "ftp://smba.example.net/", "https:///x"):
                with pytest.raises(InsecureServiceUrl):
                    await client.send_activity(url, "a:1", ACTIVITY)
            assert fake.token_requests == [] and fake.connector_calls == 0
            # Loopback is the exception (end-to-end tests run a fake Bot Framework there).
            await client.send_activity(fake.service_url, "a:1", ACTIVITY)
            assert len(fake.delivered) == 1
        finally:
            await client.close()

    run_with_fake(scenario)


def test_conversation_ids_are_escaped_in_the_url():
    async def scenario(fake):
        client = client_for(fake)
        try:
            conversation = "19:abc@thread.tacv2;messageid=1712/../x"
            await client.send_activity(fake.service_url, conversation, ACTIVITY)
            assert fake.delivered[0].conversation_id == conversation
        finally:
            await client.close()

    run_with_fake(scenario)


def test_retry_after_accepts_seconds_and_http_dates():
    now = datetime(2026, 5, 14, 8, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None) is None


def test_config_overrides_from_credentials_never_touch_secrets():
    settings = Settings.from_env({"KA_TEAMS_APP_ID": "a", "KA_TEAMS_APP_PASSWORD": "env-secret"})
    config = TeamsConfig.from_settings(settings, {"app_password": "from-yaml", "tenant_id": "t",
                                                  "channel_ids": "msteams, webchat"})
    assert config.app_password == "env-secret" and config.tenant_id == "t"
    assert config.channel_ids == ("msteams", "webchat")
    assert "env-secret" not in repr(config)
    assert dataclasses.replace(config, pseudonym_secret="x" * 16).problems() == ()
    assert "KA_TEAMS_PSEUDONYM_SECRET" in " ".join(config.problems())
