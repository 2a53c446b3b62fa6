"""Imports every feature's SQLAlchemy models so Base.metadata knows all tables
(used by Alembic and by the schema test). Each feature adds one line here."""
import bot.booking.models  # noqa: F401,E402
import bot.applications.orm  # noqa: F401,E402
import bot.outbox.models  # noqa: F401,E402
