"""Karriereassistenten: domain services for Region Hovedstaden's career assistant.

Nothing in this package imports Rasa or rasa_sdk, except `bot.channels`, which
holds the input channels that run inside the Rasa server.
"""
