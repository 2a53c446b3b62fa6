"""Inbound authentication: every bad token is refused with 401 (never 500),
good tokens are accepted, and the channel starts without Microsoft."""
from __future__ import annotations

import asyncio
import socket
import time

import aiohttp

from bot.channels.rest import GuardedRestInput
from tests.teams.fake_botframework import garbage_token, rsa_key
from tests.teams.harness import TeamsStack, message

NOW = int(time.time())


def token_cases(fake):
    """name -> (Authorization header or None, expected status)."""
    other_key = rsa_key("intruder")

    def bearer(**kwargs):
        return f"Bearer {fake.channel_token(**kwargs)}"

    return {
        "good token": (bearer(), 200),
        "expired beyond the clock skew": (bearer(exp=int(time.time()) - 600), 401),
        "expired within the clock skew": (bearer(exp=int(time.time()) - 60), 200),
        "not valid yet": (bearer(nbf=int(time.time()) + 900), 401),
        "no expiry": (bearer(exp=None), 401),
        "wrong audience": (bearer(aud="another-bot-app-id"), 401),
        "wrong issuer": (bearer(iss="https://sts.windows.net/evil/"), 401),
        "no issuer": (bearer(iss=None), 401),
        "HS256": (bearer(algorithm="HS256"), 401),
        "no key id": (bearer(kid=None), 401),
        "unknown key id": (bearer(key=other_key, kid="not-published"), 401),
        "known key id, foreign signature": (bearer(key=other_key), 401),
        "serviceUrl mismatch": (bearer(service_url="https://evil.example.com/teams/"), 401),
        "no serviceurl claim": (bearer(serviceurl=None), 401),
        "no header": (None, 401),
        "garbage header": ("Bearer not-a-token", 401),
        "garbage token": (f"Bearer {garbage_token()}", 401),
        "basic auth": ("Basic dXNlcjpwYXNz", 401),
        "unsigned (alg none)": (f"Bearer {_unsigned(fake)}", 401),
        "empty bearer": ("Bearer ", 401),
    }


def _unsigned(fake) -> str:
    import jwt

    return jwt.encode({"iss": "https://api.botframework.com", "aud": fake.app_id,
                       "exp": int(time.time()) + 600, "serviceurl": fake.service_url},
                      None, algorithm="none", headers={"kid": fake.kid})


def test_every_token_in_the_matrix_gets_the_right_status_and_bad_ones_reach_nobody(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            results, expected = {}, {}
            for name, (header, status) in token_cases(stack.fake).items():
                activity = message(stack.fake, f"besked {name}")
                results[name], _ = await stack.post(activity, token=None, authorization=header)
                expected[name] = status
            await stack.settle()
            assert results == expected
            texts = [m.text for m in stack.agent.received]
            assert texts == ["besked good token", "besked expired within the clock skew"]

    asyncio.run(scenario())


def test_a_key_not_endorsed_for_teams_is_refused(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            stack.fake.endorsements = ["skype", "webchat"]
            status, _ = await stack.post(message(stack.fake, "hej"))
            assert status == 401
            assert stack.agent.received == []

    asyncio.run(scenario())


def test_malformed_bodies_get_400_but_only_after_the_token_is_checked(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            good = f"Bearer {stack.fake.channel_token()}"
            assert (await stack.post(None, authorization=good, raw=b"{not json"))[0] == 400
            assert (await stack.post(None, authorization=good, raw=b"[1, 2]"))[0] == 400
            assert (await stack.post(None, authorization=good, raw=b"\xff\xfe"))[0] == 400
            assert (await stack.post(None, authorization=good, raw=b"[" * 100_000))[0] == 400
            no_service_url = message(stack.fake, "hej")
            del no_service_url["serviceUrl"]
            assert (await stack.post(no_service_url, authorization=good))[0] == 400
            assert (await stack.post(None, token=None, raw=b"{not json"))[0] == 401
            # A service URL we would have to send our token to in clear text.
            plain_http = message(stack.fake, "hej", serviceUrl="http://smba.example.net/emea/")
            assert (await stack.post(plain_http))[0] == 400
            await stack.settle()
            assert stack.agent.received == []

    asyncio.run(scenario())


def test_other_bot_framework_channels_are_refused_unless_configured(db_url):
    async def scenario():
        async with TeamsStack(db_url) as stack:
            stack.fake.endorsements = None  # keys without endorsements are not limited
            activity = message(stack.fake, "hej", channelId="webchat")
            assert (await stack.post(activity))[0] == 403
        async with TeamsStack(db_url, channel_ids=("msteams", "webchat")) as stack:
            stack.fake.endorsements = None
            assert (await stack.post(message(stack.fake, "hej", channelId="webchat")))[0] == 200

    asyncio.run(scenario())


def test_start_up_with_microsoft_unreachable_then_teams_is_accepted_once_it_is_back(db_url):
    async def scenario():
        stack = TeamsStack(db_url, start_fake=False, extra_channels=[GuardedRestInput()])
        async with stack:
            # The server runs and the other channels work while Teams cannot be checked.
            async with aiohttp.ClientSession() as http:
                rest = f"http://127.0.0.1:{stack.port}/webhooks/rest/webhook"
                async with http.post(rest, json={"sender": "web-1", "message": "hej"}) as answer:
                    assert answer.status == 200
                    assert await answer.json() == [{"recipient_id": "web-1", "text": "Du skrev: hej"}]
            status, body = await stack.post(message(stack.fake, "første forsøg"))
            assert status == 503
            await stack.fake.start()  # Microsoft is reachable again
            status, _ = await stack.post(message(stack.fake, "andet forsøg"))
            assert status == 200
            await stack.fake.wait_for(1)
            assert [m.text for m in stack.agent.received] == ["hej", "andet forsøg"]

    asyncio.run(scenario())


def test_start_up_does_not_wait_for_a_hanging_openid_host(db_url):
    async def scenario():
        with socket.socket() as silent:  # accepts connections, never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            url = f"http://127.0.0.1:{silent.getsockname()[1]}/openid"
            started = time.monotonic()
            async with TeamsStack(db_url, openid_url=url, fetch_timeout_seconds=30) as stack:
                assert time.monotonic() - started < 5  # far less than the fetch timeout
                assert not stack.channel.keys.ready
            # leaving the block cancelled the hanging fetch instead of waiting 30 s
            assert time.monotonic() - started < 10

    asyncio.run(scenario())


def test_an_unknown_key_id_refreshes_the_keys_at_most_once_per_interval(db_url):
    async def scenario():
        async with TeamsStack(db_url, unknown_key_refresh_seconds=300) as stack:
            assert (await stack.post(message(stack.fake, "hej")))[0] == 200
            fetches = stack.fake.jwks_hits
            for _ in range(3):
                token = stack.fake.channel_token(key=rsa_key("intruder"), kid="unknown")
                assert (await stack.post(message(stack.fake, "x"), token=token))[0] == 401
            assert stack.fake.jwks_hits - fetches <= 1

    asyncio.run(scenario())


def test_rotated_keys_are_picked_up_when_a_new_key_id_appears(db_url):
    async def scenario():
        async with TeamsStack(db_url, unknown_key_refresh_seconds=0) as stack:
            assert (await stack.post(message(stack.fake, "før"))) [0] == 200
            stack.fake.extra_keys.append(("rotated-key", rsa_key("rotated"), ["msteams"]))
            token = stack.fake.channel_token(key=rsa_key("rotated"), kid="rotated-key")
            assert (await stack.post(message(stack.fake, "efter"), token=token))[0] == 200

    asyncio.run(scenario())


def test_an_unconfigured_channel_refuses_teams_but_does_not_stop_the_server(db_url):
    async def scenario():
        async with TeamsStack(db_url, app_password="", pseudonym_secret="short") as stack:
            assert stack.channel.get_output_channel() is None
            status, body = await stack.post(message(stack.fake, "hej"))
            assert status == 503
            assert stack.fake.openid_hits == 0  # nothing fetched for a channel that is off

    asyncio.run(scenario())
