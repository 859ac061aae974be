"""Who may use the service, and from where.

- Without a token (loopback only) the Host header must name loopback (a page of another site
  cannot reach the service through DNS rebinding) and the request must not have come through
  a proxy (which would make every client look local).
- With a token (needed off loopback) every request needs it: once, exchanged for a session
  cookie (HttpOnly, SameSite=Strict, for SESSION_HOURS) at `/login`, or on each request as
  `Authorization: Bearer TOKEN` (API clients).
- Every state-changing request from a browser must come from the service's own pages (its
  Sec-Fetch-Site, else its Origin, says so), and one made with the session cookie must carry
  the session's CSRF token in `X-CSRF-Token`.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field

from starlette.requests import Request

from depthfake.serve.errors import Refused
from depthfake.settings.serve import LOOPBACK_HOSTS

SESSION_COOKIE = "depthfake_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# What a client may reach before it has the token: the login page and the exchange.
OPEN_PATHS = {"/login", "/api/session"}
SESSION_HOURS = 12
# Ending one's session needs no CSRF token (a plain form posts it; the same-origin rule holds).
LOGOUT = "/logout"
# Headers a proxy adds: a request that passed one is not a local client's.
FORWARDED_HEADERS = {"forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip"}


def host_name(host_header: str) -> str:
    """The host of a Host header, without its port ([::1]:8000 -> ::1)."""
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0]
    return host_header.rpartition(":")[0] if host_header.count(":") == 1 else host_header


@dataclass
class Access:
    """The access rules of one service: its token (None: none asked, loopback only) and live
    sessions (session id -> its CSRF token and when it expires)."""

    token: str | None
    sessions: dict[str, tuple[str, float]] = field(default_factory=dict)

    def new_session(self, offered: str) -> tuple[str, str]:
        """A session id and its CSRF token for the right token; Refused (403) otherwise."""
        if self.token is None or not hmac.compare_digest(offered.encode(), self.token.encode()):
            raise Refused(403, "wrong token")
        session, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        self.sessions = {key: value for key, value in self.sessions.items() if value[1] > now}
        self.sessions[session] = (csrf, now + SESSION_HOURS * 3600)
        return session, csrf

    def end_session(self, request: Request) -> None:
        self.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)

    def csrf_of(self, request: Request) -> str:
        """The CSRF token of the request's live session ("" without one)."""
        csrf, expires = self.sessions.get(request.cookies.get(SESSION_COOKIE, ""), ("", 0.0))
        return csrf if expires > time.time() else ""

    def check(self, request: Request) -> None:
        """Refused when the request may not be served; nothing otherwise."""
        if self.token is None:
            if host_name(request.headers.get("host", "")) not in LOOPBACK_HOSTS:
                raise Refused(421, "this service answers only to a loopback host name")
            if FORWARDED_HEADERS & set(request.headers):
                raise Refused(403, "this request came through a proxy, and this service has "
                              "no token: start it with --token to serve through a proxy")
        if request.method not in SAFE_METHODS:
            check_same_origin(request)
        if self.token is None or request.url.path in OPEN_PATHS:
            return
        bearer = request.headers.get("authorization", "")
        if bearer.startswith("Bearer "):
            if not hmac.compare_digest(bearer[7:].encode(), self.token.encode()):
                raise Refused(401, "wrong token")
            return
        csrf = self.csrf_of(request)
        if not csrf:
            raise Refused(401, "log in first (/login), or send Authorization: Bearer TOKEN")
        if request.method not in SAFE_METHODS and request.url.path != LOGOUT and \
                not hmac.compare_digest(
                request.headers.get(CSRF_HEADER, "").encode(), csrf.encode()):
            raise Refused(403, f"a request made with the session cookie needs its {CSRF_HEADER}")


def check_same_origin(request: Request) -> None:
    """Refused (403) when a browser says the request comes from another site (Sec-Fetch-Site,
    or failing that an Origin other than this host); clients that send neither are not
    browsers, and the token guards them."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site not in {"same-origin", "none"}:
            raise Refused(403, f"a {site} request may not change this service's state")
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host')}":
        raise Refused(403, f"a request from {origin} may not change this service's state")
