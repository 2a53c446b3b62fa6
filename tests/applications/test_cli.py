"""The coordinators' command line: list, show, move, anonymise."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.applications.cli import main

from .conftest import make_draft

ROOT = Path(__file__).resolve().parents[2]


def run(service, *argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), service=service, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_list_shows_applications_and_the_guideline_flag(service):
    service.submit(make_draft(kind="udveksling", years_in_specialty=1.0))
    code, out, _ = run(service, "list")
    assert code == 0
    assert "SP-2026-0001" in out and "modtaget" in out and "below guideline" in out
    assert "Anna" not in out  # the list holds no personal data


def test_show_prints_details_and_history(service, draft):
    reference = service.submit(draft).reference
    code, out, _ = run(service, "show", reference)
    assert code == 0
    assert "anna.jensen@regionh.dk" in out
    assert "under_behandling" in out  # among the next states
    assert "-> modtaget" in out and "by medarbejder" in out


def test_move_records_the_coordinator(service, draft):
    reference = service.submit(draft).reference
    code, out, _ = run(service, "move", reference, "under_behandling", "--by", "mette.k")
    assert (code, out.strip()) == (0, f"{reference} is now under_behandling")
    assert service.history(reference)[-1].actor == "mette.k"


def test_a_rejection_without_reason_is_refused_with_an_error_code(service, draft):
    reference = service.submit(draft).reference
    code, _, err = run(service, "move", reference, "afvist", "--by", "mette.k")
    assert code == 2 and "ReasonRequired" in err
    code, _, _ = run(service, "move", reference, "afvist", "--by", "mette.k",
                     "--reason", "Ingen plads")
    assert code == 0


def test_unknown_reference_is_an_error(service):
    code, _, err = run(service, "show", "SP-2026-0404")
    assert code == 2 and "ApplicationNotFound" in err


def test_anonymise_reports_how_many(service):
    code, out, _ = run(service, "anonymise")
    assert (code, out.strip()) == (0, "anonymised 0 application(s)")


def test_the_module_runs_from_the_command_line_with_the_environment(db_url, tmp_path):
    env = dict(os.environ, KA_DATABASE_URL=db_url, KA_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "bot.applications.cli", "list"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "no applications" in result.stdout
