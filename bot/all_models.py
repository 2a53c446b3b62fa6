"""Imports every feature's SQLAlchemy models so Base.metadata knows all tables
(used by Alembic and by the schema test). Each feature adds one line here."""
