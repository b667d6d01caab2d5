"""`make audit`: pip-audit over requirements.txt, saying plainly when nothing could be checked.

pip-audit's own exit status can mislead both ways: offline it fails with a traceback (and
would fail the build for want of a network), and against a package index that does not
serve vulnerability data it reports "No known vulnerabilities found" having audited none
of the dependencies. This wrapper reads its JSON report and exits:

* 1 when a known vulnerability is found (the build should fail);
* 0 with one clear line when the vulnerability database could not be reached, or it did
  not know some of the dependencies (nothing to fix here: run it again where it can);
* 0 when every dependency was audited and none is vulnerable.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404  # runs our own pinned pip-audit, no shell
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = ("connection", "resolve", "timed out", "max retries", "network is unreachable")


def main() -> int:
    """Run the audit and report it; the exit status is the build's verdict."""
    requirements = ROOT / "requirements.txt"
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "audit.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--no-deps",  # every requirement is pinned, transitive ones included
            "--disable-pip",  # read the pins; install nothing
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            str(report),
            *sys.argv[1:],
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
        text = report.read_text(encoding="utf-8") if report.exists() else ""
    if not text:
        if any(word in done.stderr.lower() for word in UNREACHABLE):
            print("make audit: could not reach the vulnerability database; nothing was audited")
            return 0
        print(done.stderr.strip()[-2000:], file=sys.stderr)
        print("make audit: pip-audit failed without a report (see above)")
        return done.returncode or 1
    dependencies = json.loads(text).get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    unaudited = [d for d in dependencies if d.get("skip_reason")]
    for dependency in vulnerable:
        ids = ", ".join(v.get("id", "?") for v in dependency["vulns"])
        print(f"VULNERABLE {dependency['name']} {dependency['version']}: {ids}")
    audited = len(dependencies) - len(unaudited)
    if unaudited:
        print(
            f"make audit: the vulnerability database did not know {len(unaudited)} of "
            f"{len(dependencies)} pinned dependencies (an index without vulnerability data, or "
            f"offline); only {audited} were audited"
        )
    if vulnerable:
        print(f"make audit: {len(vulnerable)} dependency(ies) have known vulnerabilities")
        return 1
    if not unaudited:
        print(f"make audit: {audited} pinned dependencies audited, no known vulnerabilities")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
