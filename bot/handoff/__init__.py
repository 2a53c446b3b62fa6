"""Human handoff: an employee's conversation goes to one of the counsellors
(live in the chat, or as a message answered later), anonymously.

Public API:
    HandoffService(session_factory, hours, config, clock)   employee side
    CounsellorDesk(session_factory, config, clock)          counsellors' side
    CounsellorHours(booking_config) / AlwaysOpen()          opening hours
    HandoffConfig.from_settings(settings)
    is_end_command(text), END_PAYLOAD                        typed "afslut"
    code_in_text(text), wrong_code_delay(failures)           case codes
and the dataclasses and exceptions of bot.handoff.domain.
"""
from bot.handoff.codes import code_in_text, display_code, normalize_case_code, wrong_code_delay
from bot.handoff.commands import END_PAYLOAD, is_end_command
from bot.handoff.desk import CounsellorDesk
from bot.handoff.domain import (
    LIVE_STATES,
    REPLY_STATES,
    Answer,
    Author,
    Availability,
    AvailabilityStatus,
    CaseClosed,
    CaseDetail,
    CaseKind,
    CaseMessage,
    CaseNotFound,
    CaseNotTaken,
    CaseReading,
    CaseState,
    CaseSummary,
    CaseTakenByOther,
    CaseTicket,
    Contact,
    Delivery,
    EmptyMessage,
    Event,
    HandoffError,
    IllegalCaseTransition,
    InvalidCaseCode,
    LiveChannelNotSupported,
    NoCounsellorAvailable,
    OutsideOpeningHours,
    Queues,
    Recipient,
    TranscriptLine,
)
from bot.handoff.hours import AlwaysOpen, CounsellorHours, OpeningHours
from bot.handoff.service import HandoffConfig, HandoffService

__all__ = [
    "END_PAYLOAD", "LIVE_STATES", "REPLY_STATES",
    "AlwaysOpen", "Answer", "Author", "Availability", "AvailabilityStatus", "CaseClosed",
    "CaseDetail", "CaseKind", "CaseMessage", "CaseNotFound", "CaseNotTaken", "CaseReading",
    "CaseState", "CaseSummary", "CaseTakenByOther", "CaseTicket", "Contact", "CounsellorDesk",
    "CounsellorHours", "Delivery", "EmptyMessage", "Event", "HandoffConfig", "HandoffError",
    "HandoffService", "IllegalCaseTransition", "InvalidCaseCode", "LiveChannelNotSupported",
    "NoCounsellorAvailable", "OpeningHours", "OutsideOpeningHours", "Queues", "Recipient",
    "TranscriptLine",
    "code_in_text", "display_code", "is_end_command", "normalize_case_code", "wrong_code_delay",
]
