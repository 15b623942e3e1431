"""What a folder of reports already holds: each file's organization, edition, format and data fingerprint.

The manifest (``.qbr-reports.json`` in the folder) lets ``qbr report --all`` skip an organization whose file is
up to date: written from the same data (fingerprint), in the same edition and format, by the same version of the
product, and still the very file written (its size and SHA-256). A missing or unreadable manifest only means that
every report is written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = ".qbr-reports.json"
MANIFEST_FORMAT = 1
# Characters no file system of the three usual ones accepts in a name, and control characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_NAME_LENGTH = 80  # of the organization's part: whole names stay well under every file system's 255 bytes


@dataclass(frozen=True)
class ReportKey:
    """What makes two reports the same: organization, period, edition, format, data and product version."""

    organization_id: int
    period: str
    edition: str
    file_format: str
    fingerprint: str  # of the data versions the report was read at (qbr.batch.fingerprint)
    product_version: str


@dataclass(frozen=True)
class ReportRecord:
    """One written report, as the manifest keeps it: what it is, and the file as written."""

    key: ReportKey
    organization: str
    size: int
    sha256: str


def report_file_name(organization_id: int, organization_name: str, period: str, file_format: str) -> str:
    """``QBR 2025-Q1 Acme Corp (12).pdf``: readable, safe on every file system, unique per organization (its id;
    two names may clean up to the same text)."""
    cleaned = unicodedata.normalize("NFC", organization_name)
    cleaned = " ".join(_UNSAFE.sub(" ", cleaned).split()).strip(" .")[:_NAME_LENGTH].strip(" .")
    return f"QBR {period} {cleaned or 'organization'} ({organization_id}).{file_format}"


def file_digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


class Manifest:
    """The records of one folder's reports, by file name."""

    def __init__(self, folder: Path, records: dict[str, ReportRecord] | None = None) -> None:
        self.folder = folder
        self.records = records or {}

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The folder's manifest; an empty one when it is missing or not one we wrote (every report is rewritten)."""
        try:
            data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
            if data.get("format") != MANIFEST_FORMAT:
                return cls(folder)
            records = {
                name: ReportRecord(ReportKey(**fields.pop("key")), **fields) for name, fields in data["reports"].items()
            }
            return cls(folder, records)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls(folder)

    def is_up_to_date(self, file_name: str, wanted: ReportKey) -> bool:
        """Whether ``file_name`` holds the report ``wanted``: recorded from the same data, and unchanged since."""
        recorded = self.records.get(file_name)
        if recorded is None or recorded.key != wanted:
            return False
        path = self.folder / file_name
        try:
            return path.stat().st_size == recorded.size and file_digest(path) == recorded.sha256
        except OSError:
            return False

    def record(self, file_name: str, record: ReportRecord) -> None:
        self.records[file_name] = record

    def save(self) -> None:
        """Write the manifest whole or not at all (a temporary file renamed over it)."""
        payload: dict[str, Any] = {
            "format": MANIFEST_FORMAT,
            "reports": {name: asdict(record) for name, record in sorted(self.records.items())},
        }
        write_atomically(self.folder / MANIFEST_NAME, json.dumps(payload, indent=1).encode())


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``path`` so that a reader sees the old file or the new one, never half of one."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-", suffix=path.suffix)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
