"""Read Danish texts from the domain's responses, for the few places where an
action must build buttons itself (the texts still live in domain.yml)."""
from __future__ import annotations

from typing import Any, Dict, Optional


def response_text(domain: Dict[str, Any], name: str) -> Optional[str]:
    """The first text variant of response `name`, or None if it does not exist."""
    variants = domain.get("responses", {}).get(name) or []
    for variant in variants:
        if variant.get("text"):
            return variant["text"]
    return None
