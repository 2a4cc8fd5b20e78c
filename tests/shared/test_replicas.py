"""Replicas sharing one Redis keep every exact semantic of a single server (issue 14)."""

from __future__ import annotations

from collections import Counter

import redis
import requests

from tests.shared.replicas import AUTH, FORM, SIGNALWIRE, journal, load, replicas, send_sms, spread

MESSAGES = r"{regex: '/2010-04-01/Accounts/[^/]+/Messages\.json'}"
THREE = f"""
name: three-failures
vendor: signalwire
rules:
  - match: {{method: POST, path: {MESSAGES}}}
    times: 3
    error: "21211"
"""
LIMITED = f"""
name: five-a-minute
vendor: signalwire
rules:
  - match: {{method: POST, path: {MESSAGES}}}
    rate_limit: {{limit: 5, window: 60, key: rule}}
"""


def test_times_3_fires_exactly_3_times_over_120_concurrent_sends_on_two_replicas(
    redis_url: str,
) -> None:
    with replicas(redis_url) as servers:
        load(servers[0], THREE)
        answers = spread(servers, 120, session="times")
        assert Counter(r.status_code for r in answers) == {201: 117, 400: 3}
        failed = [r.json()["code"] for r in answers if r.status_code == 400]
        assert failed == [21211] * 3
        # both replicas' journals hold all 120 requests, and agree on which failed
        for server in servers:
            entries = journal(server, session="times")
            assert len(entries) == 120
            assert sum(e["rule"] == "three-failures#0" for e in entries) == 3


def test_a_rate_limit_is_exact_across_replicas(redis_url: str) -> None:
    with replicas(redis_url) as servers:
        load(servers[1], LIMITED)
        answers = spread(servers, 40, session="rate")
        assert Counter(r.status_code for r in answers) == {201: 5, 429: 35}


def test_a_message_created_through_one_replica_is_read_through_the_other(
    redis_url: str,
) -> None:
    with replicas(redis_url) as (a, b):
        created = send_sms(a, session="read")
        assert created.status_code == 201
        sid = created.json()["sid"]
        headers = {**AUTH, "X-Mock-Session": "read"}
        url = f"{b.url}{SIGNALWIRE}/Messages/{sid}.json"
        fetched = requests.get(url, headers=headers, timeout=10)
        assert fetched.status_code == 200
        assert fetched.json()["sid"] == sid
        listed = requests.get(f"{b.url}{SIGNALWIRE}/Messages.json", headers=headers, timeout=10)
        assert [m["sid"] for m in listed.json()["messages"]] == [sid]


def test_replicas_mint_different_ids_for_the_same_session(redis_url: str) -> None:
    with replicas(redis_url, seed=7) as (a, b):
        sids = {send_sms(server, session="ids").json()["sid"] for server in (a, b)}
        assert len(sids) == 2


def test_a_session_reset_through_one_replica_restarts_counters_on_both(
    redis_url: str,
) -> None:
    with replicas(redis_url) as (a, b):
        load(a, THREE)
        assert [send_sms(b, session="reset").status_code for _ in range(4)] == [400] * 3 + [201]
        reset = requests.post(f"{a.url}/__admin/reset", params={"session": "reset"}, timeout=10)
        assert reset.status_code == 200
        assert [send_sms(b, session="reset").status_code for _ in range(4)] == [400] * 3 + [201]
        assert len(journal(a, session="reset")) == 4  # the reset forgot the first four


def test_a_scenario_removed_through_one_replica_stops_on_the_other(
    redis_url: str,
) -> None:
    with replicas(redis_url) as (a, b):
        load(a, THREE)
        assert send_sms(b, session="rm").status_code == 400
        gone = requests.delete(f"{a.url}/__admin/scenarios/three-failures", timeout=10)
        assert gone.status_code == 200
        assert send_sms(b, session="rm").status_code == 201
        names = [
            r["scenario"]
            for r in requests.get(f"{b.url}/__admin/scenarios", timeout=10).json()["rules"]
        ]
        assert "three-failures" not in names


def test_a_token_revoked_through_one_replica_is_refused_by_the_other(
    redis_url: str,
) -> None:
    basic = {"Authorization": "Basic Y2xpZW50LWE6c2VjcmV0"}  # client-a:secret
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b.c"}
    with replicas(redis_url) as (a, b):
        token = requests.post(
            f"{a.url}/ringcentral/restapi/oauth/token", data=form, headers=basic, timeout=10
        )
        access = token.json()["access_token"]
        store = "/ringcentral/restapi/v1.0/account/~/extension/~/message-store"
        bearer = {"Authorization": f"Bearer {access}"}
        assert requests.get(b.url + store, headers=bearer, timeout=10).status_code == 200
        revoke = f"{b.url}/ringcentral/restapi/oauth/revoke"
        assert (
            requests.post(revoke, data={"token": access}, headers=basic, timeout=10).status_code
            == 200
        )
        assert requests.get(a.url + store, headers=bearer, timeout=10).status_code == 401


def test_a_journal_cleared_through_one_replica_is_empty_on_the_other(redis_url: str) -> None:
    with replicas(redis_url) as (a, b):
        assert send_sms(a, session="clear").status_code == 201
        assert len(journal(b, session="clear")) == 1
        cleared = requests.delete(
            f"{b.url}/__admin/requests", params={"session": "clear"}, timeout=10
        )
        assert cleared.status_code == 200
        assert journal(a, session="clear") == []
        assert send_sms(b, session="clear").status_code == 201
        assert len(journal(a, session="clear")) == 1


def test_the_live_journal_of_one_replica_shows_requests_sent_to_the_other(redis_url: str) -> None:
    with replicas(redis_url) as (a, b):
        url = f"{b.url}/__admin/journal/stream"
        headers = {"Accept": "text/event-stream"}
        with requests.get(
            url, params={"session": "live"}, headers=headers, stream=True, timeout=10
        ) as feed:
            assert send_sms(a, session="live").status_code == 201
            lines = feed.iter_lines(decode_unicode=True)
            event = next(line for line in lines if line.startswith("data:"))
        assert '"session": "live"' in event or '"session":"live"' in event


def test_a_session_from_undecodable_header_bytes_is_shared_too(redis_url: str) -> None:
    # latin-1 0xff is not UTF-8: the server sees a lone surrogate in the session name
    with replicas(redis_url) as (a, b):
        load(a, THREE)
        headers = {**AUTH, "X-Mock-Session": "s\xff".encode("latin-1")}
        url = f"{SIGNALWIRE}/Messages.json"
        codes = [
            requests.post(s.url + url, data=FORM, headers=headers, timeout=10).status_code
            for s in (a, b, a, b)
        ]
        assert codes == [400, 400, 400, 201]


ALWAYS = f"""
name: always-fails
vendor: signalwire
rules:
  - match: {{method: POST, path: {MESSAGES}, form: {{Body: always}}}}
    error: "21211"
"""


def test_a_rule_without_a_trigger_fires_on_every_replica_without_a_shared_count(
    redis_url: str,
) -> None:
    """Nothing decides differently by count, so Redis counts nothing; a `times` rule still is."""
    admin = redis.Redis.from_url(redis_url)
    with replicas(redis_url) as servers:
        load(servers[0], ALWAYS)
        load(servers[0], THREE.replace("three-failures", "three-more"), session="counted")
        always = [send_sms(servers[i % 2], "free", Body="always") for i in range(6)]
        counted = [send_sms(servers[i % 2], "counted").status_code for i in range(4)]
        counters = [k.decode() for k in admin.scan_iter("mockserver:c:*")]
    admin.close()
    assert [r.json()["code"] for r in always] == [21211] * 6
    assert counted == [400, 400, 400, 201]
    assert any("three-more" in k for k in counters)
    assert not any("always-fails" in k for k in counters)
