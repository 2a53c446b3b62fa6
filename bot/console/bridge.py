"""Lets the assistant speak in a conversation without a user message: after a
counsellor hands back, or when nobody took a handoff in time.

Runs in the Rasa server process, with the loaded agent: under the
conversation's lock it executes a custom action of actions/handoff.py (which
sends a response from domain.yml, so the Danish text stays in the domain) and
then `action_listen`, so the tracker looks exactly as after a normal bot turn
and the employee's next message is predicted from a clean state.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel

logger = logging.getLogger(__name__)

OutputFactory = Callable[[str, str], Optional[OutputChannel]]


class RasaAssistant:
    """`app` is the Rasa server's Sanic app (app.ctx.agent is the agent);
    `output_for(recipient, channel)` gives the channel's output, if it can push."""

    def __init__(self, app: Any, output_for: OutputFactory) -> None:
        self._app = app
        self._output_for = output_for

    async def run(self, recipient: str, channel: str, action_name: str) -> bool:
        agent = getattr(self._app.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            logger.warning("no model loaded: the assistant cannot take conversation back yet")
            return False
        output = self._output_for(recipient, channel) or CollectingOutputChannel()
        if action_name not in agent.domain.action_names_or_texts:
            logger.error("the model does not know %s: retrain (make train)", action_name)
            return False
        async with agent.lock_store.lock(recipient):
            await agent.execute_action(recipient, action_name, output, None, None)
            await agent.execute_action(recipient, "action_listen", output, None, None)
        return True
