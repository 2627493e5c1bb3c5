"""Where an outbound request goes: a known vendor, an internal host, or somewhere else.

Hosts come from URL templates in which parts unknown statically are a NUL placeholder
(`https://\0.api.mailchimp.com`), so a template still names its vendor or its internal domain.
"""

from __future__ import annotations

import re

from privacy_lint.packs.catalog import Catalog, Host


def _host_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern.lower()).replace(r"\*", ".*") + r"\Z")


class HostDirectory:
    def __init__(self, catalog: Catalog) -> None:
        # a pattern may name a path too (`api.linkedin.com/rest/conversionEvents`): the host alone serves other
        # APIs (its sign-in), so only requests under that path are the vendor's service
        self._vendors = [
            (_host_regex(h.pattern.split("/", 1)[0]), "/" + h.pattern.split("/", 1)[1] if "/" in h.pattern else "", h)
            for h in catalog.hosts
        ]
        self._internal = [_host_regex(p) for p in catalog.internal_hosts]

    def vendor(self, host: str, url: str = "") -> Host | None:
        probe = host.lower().replace("\0", "x")
        path = url_path(url)
        for regex, prefix, known in self._vendors:
            if regex.match(probe) and (not prefix or path.startswith(prefix)):
                return known
        return None

    def is_internal(self, host: str) -> bool:
        bare = host.strip("[]")
        if "\0" not in host and "." not in bare and ":" not in bare:
            return True  # a bare service name (http://users/...) resolves inside the cluster or network
        if host.startswith("\0"):
            host = "x" + host[1:]  # http://{service}.internal
        elif "\0" in host:
            return False
        probe = host.lower()
        return any(regex.match(probe) for regex in self._internal)


def url_host(url: str) -> str | None:
    if "://" not in url:
        return None
    rest = url.split("://", 1)[1]
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    if host.endswith("\0") and len(host) > 1 and host[-2] != ".":
        host = host[:-1]  # f"{API_BASE}{path}": what follows a whole host is its path
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.split(":", 1)[0] or None


def url_path(url: str) -> str:
    """The path of a URL template (`/rest/conversionEvents`), "" when it has none or no scheme."""
    if "://" not in url:
        return ""
    rest = url.split("://", 1)[1].split("?", 1)[0]
    return "/" + rest.split("/", 1)[1] if "/" in rest else ""
