"""First stage of the two-stage fallback: "Mente du ...?" with a button for each
of the likeliest intents, plus "Ingen af delene" (which leads to the rephrase
offer, then to a counsellor)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.responses import response_text

MAX_SUGGESTIONS = 3
# Intents never offered as a guess: offering them would not help the user.
NOT_SUGGESTED = {"nlu_fallback", "out_of_scope", "nonsense", "affirm", "deny", "stop"}


class ActionDefaultAskAffirmation(Action):
    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = []
        for entry in ranking:
            intent = entry.get("name")
            label = response_text(domain, f"utter_intent_label_{intent}")
            if intent in NOT_SUGGESTED or label is None:
                continue
            buttons.append({"title": label, "payload": f"/{intent}"})
            if len(buttons) == MAX_SUGGESTIONS:
                break
        # Rasa's two-stage fallback reads out_of_scope as "none of these" and asks to rephrase.
        buttons.append({"title": response_text(domain, "utter_did_you_mean_none"), "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        return []
