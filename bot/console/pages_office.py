"""Console routes for the rest of the office's work: bookings (today and the
week; block time; cancel with a reason), snusepraktik applications (move
through states with a reason) and the knowledge base (unanswered and
thumbs-down questions, the articles, reload).

A counsellor blocks time and cancels bookings only in their own calendar;
application changes are recorded with the counsellor's username.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, List, Optional
from zoneinfo import ZoneInfo

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.console.auth import ConsoleUser
from bot.console.web import PREFIX, ConsoleDeps, Renderer, form_value, not_found, run, see_other

logger = logging.getLogger(__name__)


def _day(value: Optional[str], default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _clock(value: str) -> Optional[time]:
    try:
        return time.fromisoformat(value.strip().replace(".", ":"))
    except ValueError:
        return None


def register(bp: Blueprint, deps: ConsoleDeps, renderer: Renderer,
             login_required: Callable) -> None:
    tz = ZoneInfo(deps.timezone)

    # ------------------------------------------------------------ bookings

    @bp.get("/bookinger")
    @login_required
    async def bookings(request: Request) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        service = deps.bookings
        if service is None:
            return await renderer.page(request, "bookings.html", missing=True)
        day = _day(request.args.get("dag"), deps.today())
        everyone = request.args.get("alle") == "1"
        who = None if everyone else user.counsellor_id
        monday = day - timedelta(days=day.weekday())
        week_start = datetime.combine(monday, time(0), tzinfo=tz)
        todays = await run(service.list_bookings, who, day=day, include_cancelled=True)
        week = await run(service.list_bookings, who, week_of=day, include_cancelled=True)
        blocks = await run(service.list_blocks, who, week_start, week_start + timedelta(days=7))
        days: List[Any] = []
        for offset in range(7):
            current = monday + timedelta(days=offset)
            days.append((current, [b for b in week if b.starts_at.astimezone(tz).date() == current]))
        return await renderer.page(
            request, "bookings.html", missing=False, day=day, everyone=everyone, todays=todays,
            days=days, blocks=blocks, config=service.config, now=deps.clock(),
            previous_week=(monday - timedelta(days=7)).isoformat(),
            next_week=(monday + timedelta(days=7)).isoformat(),
        )

    @bp.post("/bookinger/bloker")
    @login_required
    async def block(request: Request) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        if deps.bookings is None:
            return await not_found(renderer, request)
        day = _day(form_value(request, "dato", 20), date.min)
        start, end = _clock(form_value(request, "fra", 10)), _clock(form_value(request, "til", 10))
        if day == date.min or start is None or end is None or end <= start:
            return see_other(f"{PREFIX}/bookinger", fejl="ugyldig_tid")
        reason = form_value(request, "aarsag", 200)
        await run(deps.bookings.block, user.counsellor_id, datetime.combine(day, start, tzinfo=tz),
                  datetime.combine(day, end, tzinfo=tz), reason)
        logger.info("console: %s blocked %s %s-%s", user.username, day, start, end)
        return see_other(f"{PREFIX}/bookinger", dag=day.isoformat(), ok="blokeret")

    @bp.post("/bookinger/blokeringer/<block_id:int>/fjern")
    @login_required
    async def unblock(request: Request, block_id: int) -> HTTPResponse:
        user: ConsoleUser = request.ctx.user
        if deps.bookings is None:
            return await not_found(renderer, request)
        now = deps.clock()
        own = await run(deps.bookings.list_blocks, user.counsellor_id,
                        now - timedelta(days=400), now + timedelta(days=400))
        if block_id not in {b.id for b in own}:
            return see_other(f"{PREFIX}/bookinger", fejl="ikke_din")
        await run(deps.bookings.unblock, block_id)
        logger.info("console: %s removed block %s", user.username, block_id)
        return see_other(f"{PREFIX}/bookinger", ok="blokering_fjernet")

    @bp.post("/bookinger/<code:str>/aflys")
    @login_required
    async def cancel(request: Request, code: str) -> HTTPResponse:
        from bot.booking import (BookingAlreadyCancelled, BookingInThePast, BookingNotFound,
                                 InvalidBookingCode)

        user: ConsoleUser = request.ctx.user
        if deps.bookings is None:
            return await not_found(renderer, request)
        reason = " ".join(form_value(request, "aarsag", 200).split())
        if not reason:
            return see_other(f"{PREFIX}/bookinger", fejl="begrundelse")
        try:
            booking = await run(deps.bookings.find, code)
            if booking.counsellor_id != user.counsellor_id:
                return see_other(f"{PREFIX}/bookinger", fejl="ikke_din")
            await run(deps.bookings.cancel, code, reason)
        except (BookingNotFound, InvalidBookingCode):
            return await not_found(renderer, request)
        except BookingAlreadyCancelled:
            return see_other(f"{PREFIX}/bookinger", fejl="allerede_aflyst")
        except BookingInThePast:
            return see_other(f"{PREFIX}/bookinger", fejl="startet")
        logger.info("console: %s cancelled booking %s", user.username, booking.display_code)
        return see_other(f"{PREFIX}/bookinger", ok="aflyst")

    # ------------------------------------------------------------ applications

    @bp.get("/ansoegninger")
    @login_required
    async def applications(request: Request) -> HTTPResponse:
        from bot.applications.states import ApplicationState

        service = deps.applications
        if service is None:
            return await renderer.page(request, "applications.html", missing=True)
        wanted = request.args.get("status") or None
        states = [s.value for s in ApplicationState]
        state = wanted if wanted in states else None
        rows = await run(service.list_applications, state, 300)
        return await renderer.page(request, "applications.html", missing=False, rows=rows,
                                   states=states, state=state)

    @bp.get("/ansoegninger/<reference:str>")
    @login_required
    async def application(request: Request, reference: str) -> HTTPResponse:
        from bot.applications import ApplicationNotFound
        from bot.applications.states import TRANSITIONS, as_state

        if deps.applications is None:
            return await not_found(renderer, request)
        try:
            details = await run(deps.applications.get, reference)
            history = await run(deps.applications.history, reference)
        except ApplicationNotFound:
            return await not_found(renderer, request)
        targets = sorted(s.value for s in TRANSITIONS[as_state(details.state)])
        return await renderer.page(request, "application.html", app=details, history=history,
                                   targets=targets)

    @bp.post("/ansoegninger/<reference:str>/status")
    @login_required
    async def move(request: Request, reference: str) -> HTTPResponse:
        from bot.applications import (ApplicationNotFound, IllegalTransition, MissingField,
                                      ReasonRequired, UnknownState)

        user: ConsoleUser = request.ctx.user
        if deps.applications is None:
            return await not_found(renderer, request)
        target = form_value(request, "til", 40)
        reason = form_value(request, "begrundelse", 500)
        back = f"{PREFIX}/ansoegninger/{reference}"
        try:
            await run(deps.applications.transition, reference, target, user.username, reason)
        except ApplicationNotFound:
            return await not_found(renderer, request)
        except ReasonRequired:
            return see_other(back, fejl="begrundelse")
        except (IllegalTransition, UnknownState, MissingField):
            return see_other(back, fejl="ikke_muligt")
        logger.info("console: %s moved %s to %s", user.username, reference, target)
        return see_other(back, ok="status_aendret")

    # ------------------------------------------------------------ knowledge

    @bp.get("/viden")
    @login_required
    async def knowledge(request: Request) -> HTTPResponse:
        feedback, articles, report = None, None, None
        if deps.feedback is not None:
            unanswered = await run(deps.feedback.list_unanswered)
            summary = [s for s in await run(deps.feedback.feedback_summary) if s.not_helpful]
            negative = [e for e in await run(deps.feedback.list_feedback, limit=200) if not e.helpful]
            feedback = {"unanswered": unanswered, "summary": summary, "negative": negative[:50]}
        if deps.knowledge is not None:
            kb = await run(deps.knowledge)
            articles = sorted(await run(kb.articles), key=lambda a: (a.area, a.title))
            report = kb.last_report
        return await renderer.page(request, "knowledge.html", feedback=feedback,
                                   articles=articles, report=report)

    @bp.post("/viden/genindlaes")
    @login_required
    async def reload(request: Request) -> HTTPResponse:
        from bot.knowledge import KnowledgeFolderMissing

        user: ConsoleUser = request.ctx.user
        if deps.knowledge is None:
            return await not_found(renderer, request)
        kb = await run(deps.knowledge)
        try:
            report = await run(kb.reload)
        except KnowledgeFolderMissing:
            return see_other(f"{PREFIX}/viden", fejl="mappe_mangler")
        if deps.request_knowledge_reload is not None:
            await run(deps.request_knowledge_reload)  # the action servers answer from their own copy
        logger.info("console: %s reloaded the knowledge base (%d articles)", user.username,
                    report.articles)
        return see_other(f"{PREFIX}/viden", ok="genindlaest", artikler=report.articles,
                         sprunget=len(report.skipped))

    @bp.post("/viden/ubesvarede/<entry_id:int>/haandteret")
    @login_required
    async def handled(request: Request, entry_id: int) -> HTTPResponse:
        from bot.knowledge.feedback import UnansweredQuestionNotFound

        if deps.feedback is None:
            return await not_found(renderer, request)
        try:
            await run(deps.feedback.mark_handled, entry_id)
        except UnansweredQuestionNotFound:
            return await not_found(renderer, request)
        return see_other(f"{PREFIX}/viden", ok="haandteret")
