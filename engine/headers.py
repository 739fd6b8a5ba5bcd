"""Outbound request headers for action webhooks and remote schemas, built as Hasura builds them.

Three groups meet on every call: headers configured in the metadata, defaults set by the engine,
and (for remote schemas) the caller's session variables and (when asked) the client's own request
headers. Names compare case-insensitively; on a collision the group with the higher precedence
wins, and inside one group the last entry wins.
"""

from collections.abc import Iterable, Mapping

from engine.errors import Code, EngineError

PRODUCT_VERSION = "0.1.0"
USER_AGENT = f"joinery/{PRODUCT_VERSION}"

Header = tuple[str, str]
HeaderSource = Mapping[str, str] | Iterable[Header]

# Metadata must not copy the server's own configuration (admin secret, database URLs) into requests
# sent to a third party: Hasura refuses `HASURA_GRAPHQL_` in `value_from_env`, and this product's
# own `JOINERY_` namespace is refused the same way.
RESERVED_ENV_PREFIXES = ("HASURA_GRAPHQL_", "JOINERY_")

# The client headers Hasura never forwards (`commonClientHeadersIgnored`), plus the hop-by-hop
# headers of RFC 9110 §7.6.1, which describe the client's connection and would corrupt ours.
NOT_FORWARDED = frozenset(
    name.lower()
    for name in (
        "Content-Length",
        "Content-MD5",
        "User-Agent",
        "Host",
        "Origin",
        "Referer",
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Accept-Datetime",
        "Cache-Control",
        "Connection",
        "DNT",
        "Content-Type",
        "Keep-Alive",
        "Proxy-Connection",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
    )
)
RENAMED_WHEN_FORWARDED = {
    "host": "X-Forwarded-Host",
    "user-agent": "X-Forwarded-User-Agent",
    "origin": "X-Forwarded-Origin",
}
SESSION_VARIABLE_PREFIX = "x-hasura-"


class HeaderConfigError(EngineError):
    """A configured header cannot be resolved; the message names the header, never a value."""

    default_code = Code.PARSE_FAILED


def reserved_env_var_reason(variable: str) -> str | None:
    """Why `variable` may not feed a header value, or None when it may."""
    for prefix in RESERVED_ENV_PREFIXES:
        if variable.startswith(prefix):
            return f'env variables starting with "{prefix}" are not allowed in value_from_env: {variable}'
    return None


def resolve_configured_headers(
    configs: Iterable[Mapping[str, str]], environ: Mapping[str, str]
) -> list[Header]:
    """Turn `[{"name", "value"} | {"name", "value_from_env"}]` into (name, value) pairs."""
    return [(_config_name(config), _config_value(config, environ)) for config in configs]


def _config_name(config: Mapping[str, str]) -> str:
    name = config.get("name")
    if not isinstance(name, str) or not name:
        raise HeaderConfigError("a configured header needs a non-empty string 'name'")
    return name


def _config_value(config: Mapping[str, str], environ: Mapping[str, str]) -> str:
    has_value, has_env = "value" in config, "value_from_env" in config
    if has_value == has_env:
        raise HeaderConfigError(
            f"header {config['name']!r}: expecting exactly one of value or value_from_env keys"
        )
    if has_value:
        return str(config["value"])
    return _env_value(config["value_from_env"], environ)


def _env_value(variable: str, environ: Mapping[str, str]) -> str:
    reason = reserved_env_var_reason(variable)
    if reason is not None:
        raise HeaderConfigError(reason)
    if variable not in environ:
        raise HeaderConfigError(f"environment variable '{variable}' not set", code=Code.NOT_FOUND)
    return environ[variable]


def filter_forwarded_client_headers(client_headers: HeaderSource) -> list[Header]:
    """The client's headers as they may be forwarded upstream (Hasura's `mkClientHeadersForward`)."""
    pairs = _pairs(client_headers)
    kept = [(name, value) for name, value in pairs if _is_forwardable(name)]
    renamed = [
        (RENAMED_WHEN_FORWARDED[name.lower()], value)
        for name, value in pairs
        if name.lower() in RENAMED_WHEN_FORWARDED
    ]
    return kept + renamed


def _is_forwardable(name: str) -> bool:
    lowered = name.lower()
    return lowered not in NOT_FORWARDED and not lowered.startswith(SESSION_VARIABLE_PREFIX)


def action_request_headers(
    configured: Iterable[Header], client_headers: HeaderSource, forward_client_headers: bool
) -> list[Header]:
    """Headers for an action webhook call: configured > defaults > forwarded client headers."""
    forwarded = filter_forwarded_client_headers(client_headers) if forward_client_headers else []
    return merge_headers(forwarded, _default_headers(), configured)


def remote_schema_request_headers(
    configured: Iterable[Header],
    session_variables: Mapping[str, str],
    client_headers: HeaderSource,
    forward_client_headers: bool,
) -> list[Header]:
    """Headers for a remote schema call: configured > session > client, then the fixed defaults."""
    forwarded = filter_forwarded_client_headers(client_headers) if forward_client_headers else []
    return merge_headers(forwarded, session_variables.items(), configured, _default_headers())


def _default_headers() -> list[Header]:
    return [("Content-Type", "application/json"), ("User-Agent", USER_AGENT)]


def merge_headers(*groups: HeaderSource) -> list[Header]:
    """Merge header groups given from lowest to highest precedence; names compare case-insensitively."""
    merged: dict[str, Header] = {}
    for group in groups:
        for name, value in _pairs(group):
            merged[name.lower()] = (name, value)
    return list(merged.values())


def _pairs(headers: HeaderSource) -> list[Header]:
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)
