"""Scrapy's meta-refresh redirects, looking at the start of the body only.

Scrapy's MetaRefreshMiddleware reads the first 4096 characters of `response.text`, which decodes
the whole body and keeps the text with the response: for a body cut at DOWNLOAD_MAXSIZE that is
a second 64 MiB (four times that for text outside Latin-1) held through the whole capture, for
4 KiB of it (measured with tracemalloc on tests/faulty_server.py's /endless). Here it reads a
response made of the first 16 KiB, at least 4096 characters in any encoding, cut after a `>`,
which never falls inside a UTF-8 sequence.
"""
from __future__ import annotations

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response

_PREFIX = 16 * 1024


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    def process_response(self, request, response, spider=None):
        body = response.body
        if not isinstance(response, HtmlResponse) or len(body) <= _PREFIX:
            return super().process_response(request, response)
        end = body.rfind(b">", 0, _PREFIX) + 1 or _PREFIX
        result = super().process_response(request, response.replace(body=body[:end]))
        # No refresh: the response goes on whole. A refresh: the request it leads to.
        return response if isinstance(result, Response) else result
