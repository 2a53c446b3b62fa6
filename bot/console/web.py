"""The console's Sanic blueprint: login, sessions, CSRF, rendering, and the
routes of the pages (bot.console.pages_cases, bot.console.pages_office).

Security, in one place:
- every route but the login page and the static files needs a session
  (`authenticated`); pages redirect to the login, JSON answers 401;
- every POST needs the session's CSRF token: a hidden form field, or the
  X-CSRF-Token header for JSON; the login form uses a double-submit cookie;
- the session cookie is random, HttpOnly, SameSite=Strict, limited to /konsol,
  and Secure when the request came over https;
- pages are Jinja2 with autoescape, a strict Content-Security-Policy (no inline
  script or style), no caching, no framing.
All Danish text lives in the templates (bot/console/templates/).
"""
from __future__ import annotations

import asyncio
import functools
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping, Optional
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jinja2
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.auth import AccountStore, ConsoleUser, LoginRefused
from bot.console.gateway import HandoffGateway
from bot.danish import format_date, format_time
from bot.handoff import CounsellorDesk

logger = logging.getLogger(__name__)

PREFIX = "/konsol"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
SESSION_COOKIE = "ka_konsol"
LOGIN_COOKIE = "ka_konsol_login"
CSRF_HEADER = "X-CSRF-Token"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class ConsoleDeps:
    """Everything the console's routes use; built by bot.console.channel (or tests)."""

    accounts: AccountStore
    desk: CounsellorDesk
    gateway: HandoffGateway
    bookings: Any = None  # bot.booking.BookingService
    applications: Any = None  # bot.applications.ApplicationService
    feedback: Any = None  # bot.knowledge.feedback.FeedbackStore
    knowledge: Optional[Callable[[], Any]] = None  # -> bot.knowledge.KnowledgeBase (lazy)
    # Asks the other processes (action servers, replicas) to reload their knowledge base too.
    request_knowledge_reload: Optional[Callable[[], None]] = None
    counsellor_names: Mapping[str, str] = field(default_factory=dict)
    secure_cookies: Optional[bool] = None  # None: Secure when the request came over https
    timezone: str = "Europe/Copenhagen"
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
    _names_loaded_at: float = field(default=float("-inf"), repr=False)

    def name_of(self, counsellor_id: Optional[str]) -> str:
        if not counsellor_id:
            return ""
        return self.counsellor_names.get(counsellor_id, counsellor_id)

    def refresh_names(self, max_age_seconds: float = 30.0) -> None:
        """Take the names colleagues see from the accounts (new accounts appear
        without a restart); at most one query per `max_age_seconds`."""
        now = time.monotonic()
        if now - self._names_loaded_at < max_age_seconds:
            return
        self._names_loaded_at = now
        try:
            names = {a.counsellor_id: a.name for a in self.accounts.accounts()}
        except Exception:  # noqa: BLE001 - keep the names we have
            logger.exception("console: counsellor names could not be read")
            return
        self.counsellor_names = {**self.counsellor_names, **names}

    def today(self) -> date:
        return self.clock().astimezone(ZoneInfo(self.timezone)).date()


def make_environment(deps: ConsoleDeps) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    tz = ZoneInfo(deps.timezone)
    today = deps.today

    def local(moment: Optional[datetime]) -> Optional[datetime]:
        return moment.astimezone(tz) if moment else None

    env.filters["clock"] = lambda m: format_time(local(m).time()) if m else ""
    env.filters["day"] = lambda d: format_date(d if isinstance(d, date) and not isinstance(d, datetime)
                                               else local(d).date(), today=today())
    env.filters["iso_date"] = lambda m: local(m).date().isoformat() if m else ""
    env.filters["minutes_since"] = lambda m: max(0, int((deps.clock() - m).total_seconds() // 60)) if m else 0
    env.globals["name_of"] = deps.name_of
    env.globals["prefix"] = PREFIX
    return env


# ------------------------------------------------------------------ helpers


def is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def set_cookie(deps: ConsoleDeps, request: Request, resp: HTTPResponse, name: str, value: str,
               max_age: Optional[int] = None) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["path"] = PREFIX
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    if deps.secure_cookies if deps.secure_cookies is not None else is_https(request):
        cookie["secure"] = True
    if max_age is not None:
        cookie["max-age"] = max_age


def clear_cookie(deps: ConsoleDeps, request: Request, resp: HTTPResponse, name: str) -> None:
    set_cookie(deps, request, resp, name, "", max_age=0)


def see_other(path: str, **params: Any) -> HTTPResponse:
    """Redirect after a POST; `ok`/`fejl` name a notice the page shows (keys, never text)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return response.redirect(f"{path}?{query}" if query else path, status=303,
                             headers=SECURITY_HEADERS)


async def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a synchronous service call in a worker thread."""
    return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))


class Renderer:
    def __init__(self, deps: ConsoleDeps) -> None:
        self.deps = deps
        self.env = make_environment(deps)

    def html(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    async def page(self, request: Request, template: str, status: int = 200,
                   **context: Any) -> HTTPResponse:
        user: Optional[ConsoleUser] = getattr(request.ctx, "user", None)
        await run(self.deps.refresh_names)
        available = await run(self.deps.desk.is_available, user.counsellor_id) if user else False
        html = self.html(
            template, user=user, csrf=user.csrf_token if user else "", available=available,
            ok=request.args.get("ok"), fejl=request.args.get("fejl"), path=request.path,
            args=request.args, **context,
        )
        return response.html(html, status=status, headers=SECURITY_HEADERS)


Handler = Callable[..., Awaitable[HTTPResponse]]


def authenticated(deps: ConsoleDeps, renderer: Renderer) -> Callable[[Handler], Handler]:
    """Decorator: a logged-in counsellor, and the CSRF token on every POST."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            is_api = request.path.startswith(f"{PREFIX}/api/")
            user = await run(deps.accounts.user_for, request.cookies.get(SESSION_COOKIE))
            if user is None:
                if is_api:
                    return response.json({"error": "login"}, status=401, headers=SECURITY_HEADERS)
                return see_other(f"{PREFIX}/login")
            request.ctx.user = user
            if request.method == "POST":
                token = request.headers.get(CSRF_HEADER) if is_api else _form_value(request, "csrf_token")
                if not user.csrf_ok(token):
                    logger.warning("console: CSRF token missing or wrong for %s on %s",
                                   user.username, request.path)
                    if is_api:
                        return response.json({"error": "csrf"}, status=403, headers=SECURITY_HEADERS)
                    return await renderer.page(request, "error.html", status=403, error="csrf")
            return await handler(request, *args, **kwargs)

        return wrapper

    return decorate


def _form_value(request: Request, name: str) -> Optional[str]:
    try:
        form = request.form or {}
    except Exception:  # noqa: BLE001 - not a form body
        return None
    value = form.get(name)
    return value if isinstance(value, str) else None


def form_value(request: Request, name: str, limit: int = 4000) -> str:
    return (_form_value(request, name) or "")[:limit]


# ------------------------------------------------------------------ the blueprint


def console_blueprint(deps: ConsoleDeps, name: str = "konsol") -> Blueprint:
    """All console routes, to mount at /konsol (the Rasa channel does that)."""
    from bot.console import pages_cases, pages_office

    bp = Blueprint(name)
    renderer = Renderer(deps)
    login_required = authenticated(deps, renderer)
    bp.static("/static", str(STATIC), name=f"{name}_static")

    @bp.get("/login")
    async def login_form(request: Request) -> HTTPResponse:
        token = secrets.token_urlsafe(32)
        resp = await renderer.page(request, "login.html", login_csrf=token, failed=False)
        set_cookie(deps, request, resp, LOGIN_COOKIE, token)
        return resp

    @bp.post("/login")
    async def login(request: Request) -> HTTPResponse:
        expected = request.cookies.get(LOGIN_COOKIE) or ""
        given = _form_value(request, "csrf_token") or ""
        if not expected or not hmac.compare_digest(expected, given):
            return await renderer.page(request, "error.html", status=403, error="csrf")
        try:
            result = await run(deps.accounts.login, form_value(request, "username", 100),
                               form_value(request, "password", 1000))
        except LoginRefused:
            token = secrets.token_urlsafe(32)
            resp = await renderer.page(request, "login.html", status=401, login_csrf=token,
                                       failed=True)
            set_cookie(deps, request, resp, LOGIN_COOKIE, token)
            return resp
        logger.info("console: %s logged in", result.user.username)
        resp = see_other(f"{PREFIX}/")
        set_cookie(deps, request, resp, SESSION_COOKIE, result.session_token)
        clear_cookie(deps, request, resp, LOGIN_COOKIE)
        return resp

    @bp.post("/logout")
    @login_required
    async def logout(request: Request) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        await run(deps.accounts.logout, request.cookies.get(SESSION_COOKIE))
        await run(deps.desk.go_offline, user.counsellor_id)
        logger.info("console: %s logged out", user.username)
        resp = see_other(f"{PREFIX}/login", ok="logget_ud")
        clear_cookie(deps, request, resp, SESSION_COOKIE)
        return resp

    pages_cases.register(bp, deps, renderer, login_required)
    pages_office.register(bp, deps, renderer, login_required)
    return bp


def not_found(renderer: Renderer, request: Request) -> Awaitable[HTTPResponse]:
    return renderer.page(request, "error.html", status=404, error="not_found")


def as_int(value: Optional[str], default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def case_path(number: int) -> str:
    return f"{PREFIX}/sager/{number}"
