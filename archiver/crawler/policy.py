"""Where the crawler may go: the seeds' sites only, no redirect loops, and optionally no private
addresses. A request that breaks a rule is refused with a `Refused` naming the rule, counted
under `archiver/refused/<rule>` and reported in the summary.

`SeedSitesPolicy` is a downloader middleware that stops a redirect before it is followed, so that
the other site is never asked, not even for its robots.txt. The private-address rule
is enforced in the download handler, on the address actually connected to (see
`archiver.crawler.handler`), because a hostname can resolve anywhere and re-resolve between a
check and the connection.
"""
from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urldefrag, urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest
from w3lib.url import safe_url_string
from .. import keys

logger = logging.getLogger(__name__)

# Rule names, as they appear in stats and in the summary.
OFFSITE = "offsite_redirect"
LOOP = "redirect_loop"
PRIVATE = "private_address"


class Refused(IgnoreRequest):
    """A request the archiver will not make; `rule` says which rule refused it."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def site_of(host: str | None) -> str:
    """The site a host belongs to, for "same site" checks: lowercase, without a leading `www.`."""
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_site(host: str | None, site: str) -> bool:
    """True for the site itself and its subdomains (amp.example.com belongs to example.com)."""
    candidate = site_of(host)
    return candidate == site or candidate.endswith("." + site)


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, shared, reserved and multicast addresses."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class SeedSitesPolicy:
    """Stops a redirect that leaves the seed's site (unless ARCHIVER_FOLLOW_OFFSITE) or loops.

    It reads the `Location` of each 3xx in process_response, just before Scrapy's redirect
    middleware would follow it (so at 650, above redirect's 600): the hop itself is archived,
    the request it would lead to is never made. A loop must be caught here, because Scrapy's
    duplicate filter would otherwise drop the looping request silently.
    """

    def __init__(self, crawler):
        self.stats = crawler.stats
        self.follow_offsite = crawler.settings.getbool("ARCHIVER_FOLLOW_OFFSITE", False)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if response.status not in REDIRECT_STATUSES or b"Location" not in response.headers:
            return response
        location = response.headers[b"Location"].decode("latin-1").strip()
        target = urljoin(request.url, safe_url_string(location))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if urldefrag(target)[0] in {urldefrag(u)[0] for u in chain}:
            self._refuse(LOOP, f"redirect loop: {' -> '.join(chain)} -> {target}")
        if not self.follow_offsite and not same_server(chain[0], target):
            self._refuse(OFFSITE, f"redirect off the seed's site: {request.url} -> {target}"
                                  " (set ARCHIVER_FOLLOW_OFFSITE=1 to follow)")
        return response

    def _refuse(self, rule: str, message: str):
        self.stats.inc_value(keys.REFUSED + rule)
        raise Refused(rule, message)


REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def same_server(start_url: str, target_url: str) -> bool:
    """Same site, and on the same host the same port: another port is another server."""
    start, target = urlsplit(start_url), urlsplit(target_url)
    if not same_site(target.hostname, site_of(start.hostname)):
        return False
    if target.hostname == start.hostname and target.scheme == start.scheme:
        return target.port == start.port
    return True
