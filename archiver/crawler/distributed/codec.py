"""A Request as a JSON queue entry, and back.

JSON rather than pickle: whoever can write to a shared Redis must not be able to run code in
the workers. Callbacks travel by name (Scrapy's `Request.to_dict`), bytes as base64.
"""
from __future__ import annotations

import base64
import json

from scrapy import Request
from scrapy.utils.request import request_from_dict

_BYTES = "$b64"


def _plain(value):
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {(k.decode("latin-1") if isinstance(k, bytes) else k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot queue a request carrying a {type(value).__name__} ({value!r})")


def _restored(value):
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        return {k: _restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restored(v) for v in value]
    return value


def encode(request: Request, spider) -> str:
    return json.dumps(_plain(request.to_dict(spider=spider)), separators=(",", ":"), sort_keys=True)


def decode(entry: str | bytes, spider) -> Request:
    return request_from_dict(_restored(json.loads(entry)), spider=spider)
