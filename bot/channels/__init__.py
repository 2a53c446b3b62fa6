"""Input channels that run inside the Rasa server (referenced from credentials.yml).
This is the one part of `bot` that imports Rasa."""
