"""Karriereassistenten: domain services for Region Hovedstaden's career assistant.

Nothing in this package imports Rasa or rasa_sdk, except what runs inside the Rasa
server: `bot.channels` (input channels, lock store) and `bot.serving_models` (Rasa's
TensorFlow components with a leaner loading, named in config.yml).
"""
