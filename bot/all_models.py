"""Imports every feature's SQLAlchemy models so Base.metadata knows all tables
(used by Alembic and by the schema test). Each feature adds one line here."""
import bot.booking.models  # noqa: F401,E402
import bot.applications.orm  # noqa: F401,E402
import bot.outbox.models  # noqa: F401,E402
import bot.knowledge.models  # noqa: F401,E402
import bot.handoff.models  # noqa: F401,E402
import bot.channels.teams.models  # noqa: F401,E402
import bot.console.models  # noqa: F401,E402
