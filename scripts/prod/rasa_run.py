"""`rasa run ...` with the HTTP API token from the environment (KA_RASA_TOKEN),
so it never appears in the process list (`ps` shows every command-line argument).

    python scripts/prod/rasa_run.py <other rasa run arguments>
"""
import os
import sys

token = os.environ.get("KA_RASA_TOKEN", "")
if len(token) < 16:
    sys.exit("KA_RASA_TOKEN must be set to a random value of at least 16 characters")
sys.argv = ["rasa", "run", "--enable-api", "--auth-token", token, *sys.argv[1:]]

from rasa.__main__ import main  # noqa: E402

main()
