"""`make audit`: a vulnerability fails the build; an unreachable or ignorant database says so."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools import audit


def fake_pip_audit(
    monkeypatch: pytest.MonkeyPatch, report: dict[str, Any] | None, stderr: str = ""
) -> None:
    def run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        if report is not None:
            Path(command[command.index("--output") + 1]).write_text(json.dumps(report))
        return subprocess.CompletedProcess(command, 1 if stderr else 0, "", stderr)

    monkeypatch.setattr(audit.subprocess, "run", run)


def test_a_known_vulnerability_fails_the_build(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deps = [
        {"name": "flask", "version": "3.1.3", "vulns": [{"id": "GHSA-xxxx"}]},
        {"name": "pyyaml", "version": "6.0.4", "vulns": []},
    ]
    fake_pip_audit(monkeypatch, {"dependencies": deps})
    assert audit.main() == 1
    assert "VULNERABLE flask 3.1.3: GHSA-xxxx" in capsys.readouterr().out


def test_offline_says_so_in_one_line_and_does_not_fail(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_pip_audit(monkeypatch, None, "requests.exceptions.ConnectionError: Max retries exceeded")
    assert audit.main() == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["make audit: could not reach the vulnerability database; nothing was audited"]


def test_an_index_without_vulnerability_data_is_not_a_green_audit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # What pip-audit does against a mirror: "No known vulnerabilities found", all skipped.
    deps = [{"name": "flask", "version": "3.1.3", "skip_reason": "Dependency not found on PyPI"}]
    fake_pip_audit(monkeypatch, {"dependencies": deps})
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert "did not know 1 of 1 pinned dependencies" in out and "only 0 were audited" in out
    assert "no known vulnerabilities" not in out


def test_every_dependency_audited_and_clean(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_pip_audit(monkeypatch, {"dependencies": [{"name": "a", "version": "1", "vulns": []}]})
    assert audit.main() == 0
    assert "1 pinned dependencies audited, no known vulnerabilities" in capsys.readouterr().out
