"""Console routes for handoff cases: the queues, one case, and the actions on
it (take, take over, reply, hand back, close), plus the JSON endpoints the page
polls (queues, new lines) and the presence heartbeat.

Every action is the logged-in counsellor's own: the desk refuses a reply on a
case another counsellor holds unless it was explicitly taken over.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.auth import ConsoleUser
from bot.console.web import (
    PREFIX,
    SECURITY_HEADERS,
    ConsoleDeps,
    Renderer,
    as_int,
    case_path,
    form_value,
    not_found,
    run,
    see_other,
)
from bot.handoff import (
    REPLY_STATES,
    CaseClosed,
    CaseNotFound,
    CaseNotTaken,
    CaseTakenByOther,
    EmptyMessage,
    IllegalCaseTransition,
)

logger = logging.getLogger(__name__)

# Domain outcome -> the key of the notice the page shows (texts in the templates).
ERRORS = {
    CaseClosed: "lukket",
    CaseTakenByOther: "taget_af_anden",
    CaseNotTaken: "ikke_taget",
    EmptyMessage: "tom_besked",
    IllegalCaseTransition: "ikke_muligt",
}
_EXPECTED = tuple(ERRORS)


def register(bp: Blueprint, deps: ConsoleDeps, renderer: Renderer,
             login_required: Callable) -> None:
    desk, gateway = deps.desk, deps.gateway

    def queues_html(queues: Any) -> str:
        return renderer.html("_queues.html", queues=queues, prefix=PREFIX)

    @bp.get("/")
    @login_required
    async def overview(request: Request) -> HTTPResponse:
        queues = await run(desk.queues)
        return await renderer.page(request, "cases.html", queues=queues)

    @bp.post("/tilgaengelig")
    @login_required
    async def set_available(request: Request) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        available = form_value(request, "available") == "1"
        await run(desk.heartbeat, user.counsellor_id, available)
        logger.info("console: %s is %s for chat", user.username, "ready" if available else "not ready")
        back = form_value(request, "back", 200)
        target = back if back.startswith(f"{PREFIX}/") and "//" not in back else f"{PREFIX}/"
        return see_other(target, ok="klar" if available else "ikke_klar")

    @bp.get("/sager/<number:int>")
    @login_required
    async def case(request: Request, number: int) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        try:
            detail = await run(desk.case, number, user.counsellor_id)
        except CaseNotFound:
            return await not_found(renderer, request)
        summary = detail.summary
        return await renderer.page(
            request, "case.html", case=detail, summary=summary,
            mine=summary.counsellor_id == user.counsellor_id,
            can_reply=summary.counsellor_id == user.counsellor_id and summary.state in REPLY_STATES,
            last_id=detail.messages[-1].id if detail.messages else 0,
        )

    async def act(request: Request, number: int, action: Callable[[ConsoleUser], Any],
                  done: str) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        try:
            result = await action(user)
        except CaseNotFound:
            return await not_found(renderer, request)
        except _EXPECTED as error:
            return see_other(case_path(number), fejl=ERRORS[type(error)])
        logger.info("console: %s: %s on case %s", user.username, done, number)
        return result if isinstance(result, HTTPResponse) else see_other(case_path(number), ok=done)

    @bp.post("/sager/<number:int>/tag")
    @login_required
    async def take(request: Request, number: int) -> HTTPResponse:
        async def action(user: ConsoleUser) -> None:
            await run(desk.take, number, user.counsellor_id)
            await gateway.case_changed(number)
        return await act(request, number, action, "taget")

    @bp.post("/sager/<number:int>/overtag")
    @login_required
    async def take_over(request: Request, number: int) -> HTTPResponse:
        async def action(user: ConsoleUser) -> None:
            await run(desk.take, number, user.counsellor_id, take_over=True)
            await gateway.case_changed(number)
        return await act(request, number, action, "overtaget")

    @bp.post("/sager/<number:int>/svar")
    @login_required
    async def reply(request: Request, number: int) -> HTTPResponse:
        text = form_value(request, "text", 8000)

        async def action(user: ConsoleUser) -> HTTPResponse:
            delivery = await run(desk.reply, number, user.counsellor_id, text)
            delivered = await gateway.deliver(delivery)
            return see_other(case_path(number), ok="sendt" if delivered else "gemt")
        return await act(request, number, action, "svar")

    @bp.post("/sager/<number:int>/giv-tilbage")
    @login_required
    async def hand_back(request: Request, number: int) -> HTTPResponse:
        async def action(user: ConsoleUser) -> None:
            recipient = await run(desk.hand_back, number, user.counsellor_id)
            await gateway.return_to_assistant(recipient)
        return await act(request, number, action, "givet_tilbage")

    @bp.post("/sager/<number:int>/luk")
    @login_required
    async def close(request: Request, number: int) -> HTTPResponse:
        async def action(user: ConsoleUser) -> None:
            recipient = await run(desk.close, number, user.counsellor_id)
            if recipient is not None:
                await gateway.return_to_assistant(recipient)
        return await act(request, number, action, "lukket_ok")

    # ------------------------------------------------------------ JSON for the page

    @bp.get("/api/status")
    @login_required
    async def status(request: Request) -> HTTPResponse:
        queues = await run(desk.queues)
        return response.json({
            "waiting": [c.case_number for c in queues.waiting],
            "active": [c.case_number for c in queues.active],
            "messages": [c.case_number for c in queues.messages],
            "html": queues_html(queues),
        }, headers=SECURITY_HEADERS)

    @bp.get("/api/sager/<number:int>/linjer")
    @login_required
    async def lines(request: Request, number: int) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        try:
            detail = await run(desk.case, number, user.counsellor_id, as_int(request.args.get("efter")))
        except CaseNotFound:
            return response.json({"error": "not_found"}, status=404, headers=SECURITY_HEADERS)
        return response.json({
            "state": detail.summary.state.value,
            "counsellor": detail.summary.counsellor_id == user.counsellor_id,
            "last_id": detail.messages[-1].id if detail.messages else None,
            "html": renderer.html("_lines.html", messages=detail.messages, user=user),
        }, headers=SECURITY_HEADERS)

    @bp.post("/api/heartbeat")
    @login_required
    async def heartbeat(request: Request) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        available = await run(desk.heartbeat, user.counsellor_id)
        return response.json({"available": available}, headers=SECURITY_HEADERS)
