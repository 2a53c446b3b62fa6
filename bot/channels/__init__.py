"""What runs inside the Rasa server: input channels (referenced from credentials.yml),
the tracker store and the lock store (referenced from the endpoints files).
With the model components (bot/serving_models.py, bot/intent_ensemble.py) and
bot/action_validation.py, the only part of `bot` that imports Rasa."""
