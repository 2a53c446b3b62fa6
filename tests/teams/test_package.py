"""The Teams app package an administrator uploads: manifest and icons."""
from __future__ import annotations

import importlib.util
import io
import json
import zipfile

import pytest
from PIL import Image

from bot.settings import PROJECT_ROOT

APP_ID = "8b3c4a52-0f0e-4c8e-9d59-1f2a3b4c5d6e"


@pytest.fixture(scope="module")
def packager():
    spec = importlib.util.spec_from_file_location("teams_package",
                                                  PROJECT_ROOT / "scripts" / "teams_package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def env(monkeypatch):
    for name in ("KA_TEAMS_APP_ID", "KA_PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_package_holds_a_valid_manifest_and_both_icons(packager, env, tmp_path):
    env.setenv("KA_TEAMS_APP_ID", APP_ID)
    env.setenv("KA_PUBLIC_BASE_URL", "https://karriere.regionh.example/")
    out = tmp_path / "dist" / "karriereassistenten-teams.zip"
    assert packager.main(["--out", str(out), "--version", "1.2.3"]) == 0
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = Image.open(io.BytesIO(package.read("color.png")))
        outline = Image.open(io.BytesIO(package.read("outline.png"))).convert("RGBA")
    assert manifest["manifestVersion"] == "1.16" and "v1.16" in manifest["$schema"]
    assert manifest["id"] == APP_ID and manifest["version"] == "1.2.3"
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and sorted(bot["scopes"]) == ["personal", "team"]
    assert manifest["validDomains"] == ["karriere.regionh.example"]
    assert manifest["developer"]["privacyUrl"].startswith("https://karriere.regionh.example/")
    assert manifest["name"]["short"] == "Karriereassistenten" and len(manifest["name"]["short"]) <= 30
    assert "samtale" in manifest["description"]["short"] and len(manifest["description"]["short"]) <= 80
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert color.size == (192, 192)
    assert outline.size == (32, 32)
    pixels = [outline.getpixel((x, y)) for x in range(32) for y in range(32)]
    assert {p[:3] for p in pixels if p[3] > 0} == {(255, 255, 255)}  # white only
    assert any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)  # on transparent


def test_a_missing_app_id_fails_with_a_clear_message_and_writes_nothing(packager, env, tmp_path, capsys):
    env.setenv("KA_PUBLIC_BASE_URL", "https://karriere.regionh.example")
    out = tmp_path / "pkg.zip"
    assert packager.main(["--out", str(out)]) == 2
    assert "KA_TEAMS_APP_ID is not set" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("variable, value, complaint", [
    ("KA_TEAMS_APP_ID", "my-bot", "must be a GUID"),
    ("KA_PUBLIC_BASE_URL", "http://localhost:5005", "must be the public https address"),
])
def test_unusable_settings_are_named(packager, env, tmp_path, capsys, variable, value, complaint):
    env.setenv("KA_TEAMS_APP_ID", APP_ID)
    env.setenv("KA_PUBLIC_BASE_URL", "https://karriere.regionh.example")
    env.setenv(variable, value)
    assert packager.main(["--out", str(tmp_path / "pkg.zip")]) == 2
    assert complaint in capsys.readouterr().err
