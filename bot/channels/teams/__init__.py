"""Microsoft Teams channel for the Rasa server (see docs/teams.md).

Modules: config (settings), auth (inbound tokens), activities (parsing,
pseudonyms), cards (Rasa messages -> Teams activities), outbound (Bot Connector
client), references/models (conversation references in our database),
proactive (`send_proactive`), connector (the Rasa input and output channels).

credentials.yml names `bot.channels.teams.connector.TeamsInput`. Importing this
package does not import Rasa: `send_proactive` works in any process.
"""
from typing import Any

__all__ = ["TeamsInput", "TeamsOutput", "send_proactive", "send_proactive_sync",
           "NoConversationReference", "DeliveryFailed", "TeamsNotConfigured"]


def __getattr__(name: str) -> Any:
    if name in ("TeamsInput", "TeamsOutput"):
        from bot.channels.teams import connector

        return getattr(connector, name)
    if name in __all__:
        from bot.channels.teams import proactive

        return getattr(proactive, name)
    raise AttributeError(name)
