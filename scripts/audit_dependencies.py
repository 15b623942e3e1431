"""The dependency audit of CI (``make audit``): every installed distribution against known vulnerabilities.

1. ``pip-audit`` over this environment, with its default source (PyPI's per-release vulnerability data, which
   PyPI takes from the OSV database).
2. What pip-audit could not look up (some networks let through PyPI's per-project pages but not its per-release
   ones) is checked against the per-project page, whose ``vulnerabilities`` are those of the *latest* release: that
   answers exactly for a distribution installed at its latest version, and not at all for an older one.
3. Whatever neither could check is listed loudly as NOT AUDITED. It is never counted as a pass.

Exit status: 1 when any installed distribution has a known vulnerability (each is listed with its advisory and
the versions that fix it); 0 otherwise; with ``--strict`` (or ``QBR_AUDIT_STRICT=1``), also 1 when anything
could not be audited, for CI whose network reaches the advisory sources.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

PROJECT = "qbr-dashboard"  # the project itself is installed in the environment, editable; it is not a dependency
PYPI_PROJECT_URL = "https://pypi.org/pypi/{name}/json"
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Finding:
    name: str
    version: str
    advisory: str
    fixed_in: tuple[str, ...]

    def __str__(self) -> str:
        fix = f"fixed in {', '.join(self.fixed_in)}" if self.fixed_in else "no fixed release yet"
        return f"{self.name} {self.version}: {self.advisory} ({fix})"


@dataclass
class Audit:
    findings: list[Finding] = field(default_factory=list)
    by_pip_audit: set[str] = field(default_factory=set)
    by_latest_release: set[str] = field(default_factory=set)
    not_audited: dict[str, str] = field(default_factory=dict)  # name → why


def installed() -> dict[str, str]:
    """Every distribution of this environment but the project itself, by normalized name."""
    found = {}
    for distribution in metadata.distributions():
        name = _normalized(distribution.metadata["Name"] or "")
        if name and name != PROJECT:
            found[name] = distribution.version
    return found


def pip_audit(audit: Audit) -> dict[str, str]:
    """Run pip-audit; record its findings and what it audited; return what it skipped (name → reason)."""
    command = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off", "--skip-editable"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)  # noqa: S603
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except ValueError:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit could not run: {reason}", file=sys.stderr)
        return {}
    skipped: dict[str, str] = {}
    for dependency in report.get("dependencies", []):
        name = _normalized(dependency["name"])
        if "skip_reason" in dependency:
            skipped[name] = dependency["skip_reason"]
            continue
        audit.by_pip_audit.add(name)
        for vulnerability in dependency.get("vulns", []):
            audit.findings.append(
                Finding(name, dependency["version"], vulnerability["id"], tuple(vulnerability.get("fix_versions", [])))
            )
    return skipped


def latest_release_check(audit: Audit, name: str, version: str) -> str | None:
    """Check ``name`` against PyPI's per-project page; None when done, else why it could not be."""
    try:
        with urllib.request.urlopen(  # noqa: S310 (a fixed https URL)
            PYPI_PROJECT_URL.format(name=name), timeout=TIMEOUT_SECONDS, context=_tls()
        ) as response:
            project: dict[str, Any] = json.load(response)
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        return f"PyPI unreachable ({error})"
    latest = project.get("info", {}).get("version")
    if latest != version:
        return f"installed {version}, PyPI's vulnerability data here covers only the latest release ({latest})"
    audit.by_latest_release.add(name)
    for vulnerability in project.get("vulnerabilities") or []:
        audit.findings.append(Finding(name, version, vulnerability["id"], tuple(vulnerability.get("fixed_in") or [])))
    return None


def run(strict: bool) -> int:
    audit = Audit()
    versions = installed()
    skipped = pip_audit(audit)
    for name in sorted(set(versions) - audit.by_pip_audit):
        reason = latest_release_check(audit, name, versions[name])
        if reason is not None:
            audit.not_audited[name] = f"{skipped.get(name, 'not audited by pip-audit')}; {reason}"
    print(
        f"{len(versions)} installed distributions: {len(audit.by_pip_audit)} audited by pip-audit, "
        f"{len(audit.by_latest_release)} against PyPI's data for their (latest) release, "
        f"{len(audit.not_audited)} NOT AUDITED"
    )
    if audit.not_audited:
        print("\n!!! NOT AUDITED: no vulnerability data could be fetched for these; they are not known to be safe:")
        for name, reason in sorted(audit.not_audited.items()):
            print(f"!!!   {name} {versions[name]}: {reason}")
    if audit.findings:
        print("\nKNOWN VULNERABILITIES:")
        for finding in sorted(audit.findings, key=str):
            print(f"  {finding}")
        return 1
    print("\nno known vulnerability in what was audited")
    return 1 if strict and audit.not_audited else 0


def _normalized(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _tls() -> ssl.SSLContext:
    # The CA bundle pip is told to use (PIP_CERT) is the one this network needs, when it is set.
    bundle = os.environ.get("PIP_CERT")
    return ssl.create_default_context(cafile=bundle if bundle and Path(bundle).exists() else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strict", action="store_true", default=os.environ.get("QBR_AUDIT_STRICT") == "1")
    sys.exit(run(parser.parse_args().strict))


if __name__ == "__main__":
    main()
