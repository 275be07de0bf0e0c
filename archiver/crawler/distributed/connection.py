"""Connecting to Redis, with one clear line when it cannot be done.

A malformed URL is bad usage (exit 2); a Redis that does not answer means the crawl cannot run
(exit 1). Both are told apart here so that the commands only print.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import redis


class BadRedisUrl(ValueError):
    """The --redis value is not a Redis URL."""


class RedisUnavailable(RuntimeError):
    """Redis could not be reached or refused us."""


def redacted(url: str) -> str:
    """The URL with any password replaced, fit for messages and logs."""
    try:
        parts = urlsplit(url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        pass
    return url


def client(url: str) -> redis.Redis:
    """A client for `url` (redis://, rediss:// or unix://); BadRedisUrl if it is not one."""
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme not in ("redis", "rediss", "unix"):
        raise BadRedisUrl(f"--redis expects redis://HOST[:PORT][/DB], rediss://... or unix://PATH, got {redacted(url)!r}")
    import redis  # here: a crawl of one machine never needs it (0.1 s of every start)

    try:
        urlsplit(url).port  # a non-numeric or out-of-range port raises here
        return redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30)
    except ValueError as exc:
        raise BadRedisUrl(f"--redis: {redacted(url)!r} is not a Redis URL ({exc})") from None


def connect(url: str) -> redis.Redis:
    """A client that has answered PING; RedisUnavailable with the reason otherwise."""
    import redis

    conn = client(url)
    try:
        conn.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"cannot reach Redis at {redacted(url)}: {exc}") from None
    return conn
