"""Thin rasa-sdk actions: read slots, call one service in bot/, map the result to
a named response from domain.yml. One module per feature."""
