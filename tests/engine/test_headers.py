"""engine.headers: configured headers, client header forwarding and precedence (Hasura §3.3, §4.3)."""

import pytest

from engine.headers import (
    USER_AGENT,
    HeaderConfigError,
    action_request_headers,
    filter_forwarded_client_headers,
    merge_headers,
    remote_schema_request_headers,
    reserved_env_var_reason,
    resolve_configured_headers,
)
from engine.http import HttpTransport
from tests.support import servers

webhook_server = servers.webhook_server

BROWSER_HEADERS = [
    ("Host", "console.example.com"),
    ("User-Agent", "Mozilla/5.0"),
    ("Origin", "https://app.example.com"),
    ("Content-Length", "52"),
    ("Content-MD5", "Q2hlY2sgSW50ZWdyaXR5IQ=="),
    ("Referer", "https://app.example.com/page"),
    ("Accept", "*/*"),
    ("Accept-Encoding", "gzip"),
    ("Accept-Language", "en"),
    ("Accept-Datetime", "Thu, 31 May 2007 20:35:00 GMT"),
    ("Cache-Control", "no-cache"),
    ("Connection", "keep-alive"),
    ("DNT", "1"),
    ("Content-Type", "application/json"),
    ("X-Hasura-Admin-Secret", "the-admin-secret"),
    ("x-hasura-role", "user"),
    ("X-HASURA-USER-ID", "7"),
    ("Authorization", "Bearer client-token"),
    ("Cookie", "session=abc"),
    ("X-Request-Id", "r-1"),
]


def as_dict(headers):
    """Lower-cased name -> value, asserting no name appears twice."""
    names = [name.lower() for name, _ in headers]
    assert len(names) == len(set(names)), f"duplicate header names in {headers}"
    return {name.lower(): value for name, value in headers}


# --- configured headers -----------------------------------------------------------------------


def test_configured_headers_resolve_literals_and_environment_variables():
    configs = [
        {"name": "X-Api-Key", "value": "literal"},
        {"name": "X-Secret", "value_from_env": "ACTION_SECRET"},
    ]
    assert resolve_configured_headers(configs, {"ACTION_SECRET": "from-env"}) == [
        ("X-Api-Key", "literal"),
        ("X-Secret", "from-env"),
    ]


def test_a_missing_environment_variable_is_named_in_the_error():
    configs = [{"name": "X-Secret", "value_from_env": "ACTION_SECRET"}]
    with pytest.raises(HeaderConfigError) as caught:
        resolve_configured_headers(configs, {"OTHER": "v"})
    assert str(caught.value) == "environment variable 'ACTION_SECRET' not set"
    assert caught.value.code == "not-found"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"name": "X", "value": "a", "value_from_env": "B"},
            "header 'X': expecting exactly one of value or value_from_env",
        ),
        ({"name": "X"}, "header 'X': expecting exactly one of value or value_from_env"),
        ({"value": "a"}, "a configured header needs a non-empty string 'name'"),
        ({"name": "", "value": "a"}, "a configured header needs a non-empty string 'name'"),
    ],
)
def test_malformed_header_configs_are_refused(config, message):
    with pytest.raises(HeaderConfigError, match=message) as caught:
        resolve_configured_headers([config], {"B": "b"})
    assert caught.value.code == "parse-failed"


@pytest.mark.parametrize(
    ("variable", "prefix"),
    [("HASURA_GRAPHQL_ADMIN_SECRET", "HASURA_GRAPHQL_"), ("JOINERY_ANYTHING", "JOINERY_")],
)
def test_the_servers_own_configuration_cannot_feed_a_header(variable, prefix):
    configs = [{"name": "X-Leak", "value_from_env": variable}]
    with pytest.raises(HeaderConfigError) as caught:
        resolve_configured_headers(configs, {variable: "do-not-send"})
    assert (
        str(caught.value)
        == f'env variables starting with "{prefix}" are not allowed in value_from_env: {variable}'
    )

    assert "do-not-send" not in str(caught.value)


def test_reserved_env_var_reason_lets_ordinary_names_through():
    assert reserved_env_var_reason("ACTION_SECRET") is None
    assert reserved_env_var_reason("hasura_graphql_lowercase") is None
    assert reserved_env_var_reason("HASURA_GRAPHQL_DATABASE_URL") is not None


# --- forwarding client headers ----------------------------------------------------------------


def test_forwarding_drops_common_and_session_headers_and_renames_host_agent_origin():
    forwarded = filter_forwarded_client_headers(BROWSER_HEADERS)
    assert forwarded == [
        ("Authorization", "Bearer client-token"),
        ("Cookie", "session=abc"),
        ("X-Request-Id", "r-1"),
        ("X-Forwarded-Host", "console.example.com"),
        ("X-Forwarded-User-Agent", "Mozilla/5.0"),
        ("X-Forwarded-Origin", "https://app.example.com"),
    ]


def test_forwarding_compares_names_case_insensitively_and_accepts_a_mapping():
    forwarded = filter_forwarded_client_headers(
        {"host": "h", "content-type": "text/plain", "X-Hasura-Role": "admin", "x-custom": "c"}
    )
    assert forwarded == [("x-custom", "c"), ("X-Forwarded-Host", "h")]


def test_forwarding_drops_hop_by_hop_headers():
    hop_by_hop = [
        ("Transfer-Encoding", "chunked"),
        ("Keep-Alive", "timeout=5"),
        ("TE", "trailers"),
        ("Upgrade", "h2c"),
    ]
    assert filter_forwarded_client_headers(hop_by_hop) == []


# --- action webhooks --------------------------------------------------------------------------


def test_action_headers_without_forwarding_are_configured_plus_defaults():
    headers = action_request_headers([("X-Api-Key", "k")], BROWSER_HEADERS, forward_client_headers=False)
    assert as_dict(headers) == {
        "x-api-key": "k",
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def test_action_headers_precedence_is_configured_then_defaults_then_client():
    configured = [("authorization", "Bearer configured"), ("User-Agent", "configured-agent")]
    headers = action_request_headers(configured, BROWSER_HEADERS, forward_client_headers=True)
    assert as_dict(headers) == {
        "authorization": "Bearer configured",
        "user-agent": "configured-agent",
        "content-type": "application/json",
        "cookie": "session=abc",
        "x-request-id": "r-1",
        "x-forwarded-host": "console.example.com",
        "x-forwarded-user-agent": "Mozilla/5.0",
        "x-forwarded-origin": "https://app.example.com",
    }


def test_action_headers_never_forward_session_variables_or_the_admin_secret():
    headers = action_request_headers([], BROWSER_HEADERS, forward_client_headers=True)
    assert not [name for name, _ in headers if name.lower().startswith("x-hasura-")]


# --- remote schemas ---------------------------------------------------------------------------


def test_remote_schema_headers_precedence_is_configured_then_session_then_client():
    configured = [("X-Hasura-Role", "configured-role"), ("Authorization", "Bearer configured")]
    session = {"x-hasura-role": "user", "x-hasura-user-id": "7"}
    client = [("Authorization", "Bearer client"), ("X-Hasura-User-Id", "99"), ("X-Tenant", "t1")]

    headers = remote_schema_request_headers(configured, session, client, forward_client_headers=True)

    assert as_dict(headers) == {
        "x-hasura-role": "configured-role",
        "authorization": "Bearer configured",
        "x-hasura-user-id": "7",
        "x-tenant": "t1",
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def test_remote_schema_headers_send_session_variables_even_without_forwarding():
    headers = remote_schema_request_headers([], {"x-hasura-role": "admin"}, BROWSER_HEADERS, False)
    assert as_dict(headers) == {
        "x-hasura-role": "admin",
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def test_remote_schema_content_type_and_user_agent_are_always_the_engines():
    configured = [("content-type", "text/plain"), ("USER-AGENT", "configured")]
    headers = remote_schema_request_headers(configured, {}, [], False)
    assert as_dict(headers) == {"content-type": "application/json", "user-agent": USER_AGENT}


def test_merge_headers_later_groups_win_and_keep_their_spelling():
    assert merge_headers([("x-a", "1"), ("X-B", "2")], {"X-A": "3"}) == [("X-A", "3"), ("X-B", "2")]


# --- end to end -------------------------------------------------------------------------------


def test_built_headers_reach_the_webhook_as_built(webhook_server):
    webhook_server.route("/hook", {})
    configured = resolve_configured_headers([{"name": "X-Action-Secret", "value_from_env": "S"}], {"S": "s3"})
    headers = action_request_headers(configured, BROWSER_HEADERS, forward_client_headers=True)

    with HttpTransport() as transport:
        transport.post_json(webhook_server.url("/hook"), {}, headers=headers, timeout=5)

    [call] = webhook_server.calls()
    assert call.header("X-Action-Secret") == "s3"
    assert call.header("User-Agent") == USER_AGENT
    assert call.header("Authorization") == "Bearer client-token"
    assert call.header("X-Forwarded-Host") == "console.example.com"
    assert call.header("Host") == f"127.0.0.1:{webhook_server.port}"
    assert call.header("X-Hasura-Admin-Secret") is None
    assert call.header_names.count("content-type") == 1
