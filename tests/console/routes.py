"""The console's routes as concrete URLs, read from the running app's router."""
from __future__ import annotations

import re
from typing import List, Tuple

SAMPLES = {"number": "1", "code": "K7MQ-4XTR", "reference": "SP-2026-0001",
           "block_id": "1", "entry_id": "1"}
PUBLIC = {"konsol/login"}


def protected_routes(app) -> List[Tuple[str, str]]:
    """(method, path) of every route that must need a login."""
    found = []
    for route in app.router.routes:
        if route.path in PUBLIC or route.path.startswith("konsol/static"):
            continue
        path = "/" + re.sub(r"<(\w+):\w+>", lambda m: SAMPLES[m.group(1)], route.path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return sorted(found)
