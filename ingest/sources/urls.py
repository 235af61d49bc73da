"""Canonical URLs (courlan) and readable outlet names from hosts."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from courlan import extract_domain, normalize_url, scrub_url

# Query parameters that only track the reader (courlan already drops utm_*, *_source,
# *_medium, *_campaign, ref, fbclid, gclid, ... with its own rules).
_TRACKING = frozenset(
    {
        "src", "mod", "cmp", "cmpid", "ftag", "ncid", "smid", "taid", "guccounter",
        "guce_referrer", "guce_referrer_sig", "ito", "rss", "feedtype", "icid", "intcmp",
        "ocid", "sr_share", "soc_src", "soc_trk", "spm", "yptr", "dicbo",
        "_hsenc", "_hsmi", "wt.mc_id", "mbid", "mkt_tok",
    }
)

_SCRUB_HINTS = frozenset(" \t\n\r<>\"'{}[]&")  # courlan.scrub_url cleans these up

# Hosts whose outlet is not their registered domain's.
_HOSTS = {
    "abcnews.go.com": "ABC News",
    "news.sky.com": "Sky News",
    "feeds.a.dj.com": "WSJ",
    "finance.yahoo.com": "Yahoo Finance",
    "news.yahoo.com": "Yahoo News",
    "news.itsfoss.com": "It's FOSS News",
    "news.ycombinator.com": "Hacker News",
}

# Registered domain -> outlet name; anything else falls back to the registered domain.
_DOMAINS = {
    "wsj.com": "WSJ", "dj.com": "WSJ", "cnbc.com": "CNBC", "engadget.com": "Engadget",
    "theguardian.com": "The Guardian", "theverge.com": "The Verge", "forbes.com": "Forbes",
    "techradar.com": "TechRadar", "zdnet.com": "ZDNET", "pcworld.com": "PCWorld",
    "cnet.com": "CNET", "gizmodo.com": "Gizmodo", "neowin.net": "Neowin",
    "androidauthority.com": "Android Authority", "arstechnica.com": "Ars Technica",
    "thehill.com": "The Hill", "computerworld.com": "Computerworld",
    "nytimes.com": "The New York Times", "washingtonpost.com": "The Washington Post",
    "ft.com": "Financial Times", "bbc.co.uk": "BBC", "bbc.com": "BBC", "bbci.co.uk": "BBC",
    "thehackernews.com": "The Hacker News", "nbcnews.com": "NBC News",
    "bloomberg.com": "Bloomberg", "bleepingcomputer.com": "BleepingComputer",
    "wired.com": "Wired", "biometricupdate.com": "Biometric Update", "geekwire.com": "GeekWire",
    "bgr.com": "BGR", "securityweek.com": "SecurityWeek", "phys.org": "Phys.org",
    "aljazeera.com": "Al Jazeera", "lemonde.fr": "Le Monde", "reclaimthenet.org": "Reclaim The Net",
    "digitaltrends.com": "Digital Trends", "gadgets360.com": "Gadgets 360", "time.com": "TIME",
    "eurogamer.net": "Eurogamer", "techdirt.com": "Techdirt", "popsci.com": "Popular Science",
    "cnn.com": "CNN", "npr.org": "NPR", "scmp.com": "South China Morning Post",
    "polygon.com": "Polygon", "politico.eu": "Politico", "politico.com": "Politico",
    "sciencedaily.com": "ScienceDaily", "rt.com": "RT", "arabnews.com": "Arab News",
    "cbc.ca": "CBC", "today.com": "TODAY", "channelnewsasia.com": "CNA",
    "infoworld.com": "InfoWorld", "networkworld.com": "Network World",
    "csoonline.com": "CSO Online", "newsweek.com": "Newsweek", "reuters.com": "Reuters",
    "apnews.com": "AP News", "msnbc.com": "MSNBC", "metro.co.uk": "Metro",
    "techcrunch.com": "TechCrunch", "venturebeat.com": "VentureBeat",
    "marketwatch.com": "MarketWatch", "barrons.com": "Barron's", "axios.com": "Axios",
    "businessinsider.com": "Business Insider", "economist.com": "The Economist",
    "investing.com": "Investing.com", "seekingalpha.com": "Seeking Alpha",
    "fool.com": "The Motley Fool", "yahoo.com": "Yahoo", "futunn.com": "Futu",
    "moomoo.com": "moomoo", "technologyreview.com": "MIT Technology Review",
    "theregister.com": "The Register", "tomshardware.com": "Tom's Hardware",
    "anandtech.com": "AnandTech", "9to5mac.com": "9to5Mac", "9to5google.com": "9to5Google",
    "macrumors.com": "MacRumors", "semafor.com": "Semafor", "theinformation.com": "The Information",
    "nikkei.com": "Nikkei Asia", "fortune.com": "Fortune", "latimes.com": "Los Angeles Times",
    "usatoday.com": "USA Today", "foxbusiness.com": "Fox Business", "cnn.it": "CNN",
}


def canonical_url(url: str | None) -> str | None:
    """Canonical form of an http(s) URL, or None when there is no usable URL.

    Lower-case scheme and host, default port dropped, fragment dropped, tracking query
    parameters (utm_*, ``?src=rss``, ``mod=``, ...) dropped, the other parameters sorted.
    """
    if not url:
        return None
    try:
        url = url.strip()
        if any(c in url for c in _SCRUB_HINTS):
            url = scrub_url(url)
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        query = parts.query
        if query:
            query = urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                               if k.lower() not in _TRACKING
                               and not k.lower().startswith(("at_", "guce_"))])
        return normalize_url(parts._replace(query=query, fragment=""), strict=False)
    except ValueError:
        return None


def host_of(url: str | None) -> str | None:
    """Lower-case host of a URL (``www.`` kept), or None."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.lower() if host else None


@lru_cache(maxsize=4096)
def outlet_for_host(host: str) -> str:
    """Readable outlet name for a host: "www.wsj.com" -> "WSJ"; unknown -> registered domain."""
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if host in _HOSTS:
        return _HOSTS[host]
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    domain = extract_domain(f"https://{host}/") or host
    return _DOMAINS.get(domain, domain)


def outlet_for_url(url: str | None) -> str | None:
    """Readable outlet name for the host of a URL, or None without a host."""
    host = host_of(url)
    return outlet_for_host(host) if host else None


def known_outlet(url: str | None) -> str | None:
    """Outlet name only when the host is in the curated table (not a bare domain)."""
    host = host_of(url)
    if not host:
        return None
    name = outlet_for_host(host)
    return name if name in _KNOWN_NAMES else None


_KNOWN_NAMES = frozenset(_HOSTS.values()) | frozenset(_DOMAINS.values())
