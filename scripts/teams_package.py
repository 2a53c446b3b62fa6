"""Build the Teams app package: dist/karriereassistenten-teams.zip with
manifest.json (schema 1.16) and the two icons Teams requires.

    KA_TEAMS_APP_ID=<app id> KA_PUBLIC_BASE_URL=https://karriere.example.dk \
        .venv/bin/python scripts/teams_package.py [--version 1.0.1] [--out PATH]

The manifest comes from teams/manifest.template.json (Danish name and
description live there). The icons are drawn here with Pillow unless
teams/color.png (192x192) and teams/outline.png (32x32, white on transparent)
exist, in which case those are used. Raise --version for every upload of a
changed package; Teams only updates an app when the version grows.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from bot.settings import Settings  # noqa: E402

TEMPLATE = ROOT / "teams" / "manifest.template.json"
DEFAULT_OUT = ROOT / "dist" / "karriereassistenten-teams.zip"
COLOR_SIZE, OUTLINE_SIZE = 192, 32
ACCENT = (0, 85, 140, 255)  # #00558C, also the manifest's accentColor
WHITE = (255, 255, 255, 255)
_VERSION = re.compile(r"^\d{1,5}\.\d{1,5}\.\d{1,5}$")
# ${NAME} in the template; "$schema" is left alone.
_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


class PackageError(Exception):
    """Something the operator must fix before the package can be built."""


# --- icons ---------------------------------------------------------------------
def _bubble_with_steps(size: int, scale: int, outline_only: bool) -> Image.Image:
    """An alpha mask: a speech bubble holding three rising steps (a career path)."""
    big = size * scale
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    u = big / 32  # drawing unit: the icon is designed on a 32 x 32 grid
    bubble = (3 * u, 4 * u, 29 * u, 23 * u)
    tail = [(8 * u, 22 * u), (8 * u, 29 * u), (15 * u, 22 * u)]
    steps = [(8 * u, 16 * u, 12 * u, 19 * u), (13 * u, 12.5 * u, 17 * u, 19 * u),
             (18 * u, 9 * u, 22 * u, 19 * u)]
    if outline_only:
        width = max(1, round(2 * u))
        draw.rounded_rectangle(bubble, radius=5 * u, outline=255, width=width)
        draw.polygon(tail, fill=255)
        draw.polygon([(9.8 * u, 22 * u), (9.8 * u, 25 * u), (12.8 * u, 22 * u)], fill=0)
        for step in steps:
            draw.rectangle(step, fill=255)
    else:
        draw.rounded_rectangle(bubble, radius=5 * u, fill=255)
        draw.polygon(tail, fill=255)
    return mask.resize((size, size), Image.LANCZOS)


def color_icon() -> Image.Image:
    """192 x 192, full colour: a white bubble with accent-coloured steps on accent blue."""
    scale = 4
    icon = Image.new("RGBA", (COLOR_SIZE, COLOR_SIZE), ACCENT)
    icon.paste(Image.new("RGBA", icon.size, WHITE), (0, 0), _bubble_with_steps(COLOR_SIZE, scale, False))
    draw = ImageDraw.Draw(icon)
    u = COLOR_SIZE / 32
    for left, top, right in ((8, 16, 12), (13, 12.5, 17), (18, 9, 22)):
        draw.rectangle((left * u, top * u, right * u, 19 * u), fill=ACCENT)
    return icon


def outline_icon() -> Image.Image:
    """32 x 32, white on transparent (Teams' rule for outline icons)."""
    icon = Image.new("RGBA", (OUTLINE_SIZE, OUTLINE_SIZE), (255, 255, 255, 0))
    icon.putalpha(_bubble_with_steps(OUTLINE_SIZE, 8, True))
    return icon


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _icon(name: str, size: int, draw) -> bytes:
    custom = ROOT / "teams" / name
    if custom.exists():
        with Image.open(custom) as image:
            if image.size != (size, size):
                raise PackageError(f"{custom} must be {size}x{size} pixels, not {image.size}")
            return custom.read_bytes()
    return _png(draw())


# --- manifest --------------------------------------------------------------------
def build_manifest(app_id: str, public_base_url: str, version: str) -> dict:
    if not app_id:
        raise PackageError(
            "KA_TEAMS_APP_ID is not set. Put the Microsoft App ID of the Azure Bot "
            "(the app registration's Application (client) ID) in .env or the environment; "
            "see docs/teams.md.")
    try:
        app_id = str(uuid.UUID(app_id))
    except ValueError:
        raise PackageError(f"KA_TEAMS_APP_ID must be a GUID like 8b3c4a52-0f0e-..., not {app_id!r}")
    url = urlparse(public_base_url)
    if url.scheme != "https" or not url.hostname:
        raise PackageError(
            f"KA_PUBLIC_BASE_URL must be the public https address of the assistant "
            f"(e.g. https://karriere.example.dk), not {public_base_url!r}")
    if not _VERSION.match(version):
        raise PackageError(f"--version must look like 1.0.0, not {version!r}")
    values = {"APP_ID": app_id, "VERSION": version, "PUBLIC_HOST": url.hostname,
              "PUBLIC_BASE_URL": public_base_url.rstrip("/")}

    def fill(match: "re.Match[str]") -> str:
        if match.group(1) not in values:
            raise PackageError(f"{TEMPLATE.name} has an unknown placeholder {match.group(0)}")
        return values[match.group(1)]

    return json.loads(_PLACEHOLDER.sub(fill, TEMPLATE.read_text(encoding="utf-8")))


def build_package(out: Path, settings: Settings, version: str) -> Path:
    manifest = build_manifest(settings.teams_app_id, settings.public_base_url, version)
    color = _icon("color.png", COLOR_SIZE, color_icon)
    outline = _icon("outline.png", OUTLINE_SIZE, outline_icon)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        package.writestr("color.png", color)
        package.writestr("outline.png", outline)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--version", default="1.0.0", help="app version, raise it for every update")
    args = parser.parse_args(argv)
    try:
        out = build_package(args.out, Settings.from_env(), args.version)
    except PackageError as problem:
        print(f"teams_package: {problem}", file=sys.stderr)
        return 2
    print(f"Teams app package written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
