"""Tables of the application service.

Personal data (name, email, motivation, department texts, free-text reasons)
lives only in nullable columns, so anonymisation can wipe it and keep the rest
(state, kind, dates, profession and workplace keys) for statistics.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)

from bot.db import Base


class ApplicationRow(Base):
    __tablename__ = "applications"

    id = Column(Integer, primary_key=True, autoincrement=True)
    reference = Column(String(20), nullable=False)
    kind = Column(String(20), nullable=False)
    state = Column(String(20), nullable=False)
    profession = Column(String(40), nullable=False)
    current_workplace = Column(String(20), nullable=False)
    years_in_specialty = Column(Float, nullable=False)
    desired_specialty = Column(String(200), nullable=False)
    desired_workplace = Column(String(20), nullable=True)
    period_start = Column(Date, nullable=False)
    period_end = Column(Date, nullable=False)
    period_approximate = Column(Boolean, nullable=False, default=False)
    below_guideline = Column(Boolean, nullable=False, default=False)
    # Comma-separated note codes from bot.applications.guidelines.
    guideline_notes = Column(String(200), nullable=False, default="")
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    closed_at = Column(DateTime, nullable=True)
    anonymised_at = Column(DateTime, nullable=True)
    # Personal data, wiped by anonymisation:
    name = Column(String(200), nullable=True)
    email = Column(String(254), nullable=True)
    current_department = Column(String(200), nullable=True)
    desired_department = Column(String(200), nullable=True)
    period_text = Column(String(200), nullable=True)
    motivation = Column(Text, nullable=True)
    # Reason given with the latest state change (shown to the employee).
    state_reason = Column(String(500), nullable=True)

    __table_args__ = (
        Index("uq_applications_reference", "reference", unique=True),
        Index("ix_applications_state_closed_at", "state", "closed_at"),
    )


class ApplicationEventRow(Base):
    """The audit trail: one row per change of an application."""

    __tablename__ = "application_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    application_id = Column(
        Integer, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at = Column(DateTime, nullable=False)
    actor = Column(String(100), nullable=False)
    from_state = Column(String(20), nullable=True)
    to_state = Column(String(20), nullable=False)
    reason = Column(String(500), nullable=True)


class ReferenceSequenceRow(Base):
    """The last reference number handed out per year (SP-<year>-<number>)."""

    __tablename__ = "application_reference_sequences"

    year = Column(Integer, primary_key=True, autoincrement=False)
    last_value = Column(Integer, nullable=False)
