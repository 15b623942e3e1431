"""The fake ConnectWise parses conditions the way the documentation writes them; a fake easier than the real API
would prove nothing."""

from __future__ import annotations

import pytest

from fakes.cw_conditions import ConditionError, parse_conditions

TICKET = {
    "id": 7,
    "board": {"name": "Help Desk"},
    "status": {"name": "Closed"},
    "closedFlag": True,
    "parentTicketId": None,
    "summary": 'Printer "PR-2" offline',
    "_info": {"dateEntered": "2024-01-04T09:46:58Z"},
}


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ("dateEntered >= [2024-01-01T00:00:00Z] and dateEntered < [2024-02-01T00:00:00Z]", True),
        ("dateEntered < [2024-01-04T09:46:58Z]", False),
        ('board/name="Help Desk" and parentTicketId = null', True),
        ('board/name = "help desk"', True),  # string comparisons ignore case
        ("closedFlag=true AND id != 7", False),
        ('(status/name = "New" or status/name = "Closed") and closedFlag = true', True),
        ('status/name in ("New", "In Progress")', False),
        ('status/name not in ("New", "In Progress")', True),
        ("id in (1, 7, 9)", True),
        ('summary contains "\\"PR-2\\""', True),
        ('summary like "Printer*"', True),
        ('not (board/name = "Help Desk")', False),
        ("parentTicketId != null", False),
        ("company/name = null", True),  # a missing field is null
    ],
)
def test_conditions_filter_as_documented(conditions: str, matches: bool) -> None:
    assert parse_conditions(conditions)(TICKET) is matches


@pytest.mark.parametrize(
    "bad", ['board/name = "unterminated', "dateEntered >= [2024-01-01]", "id in (1, 2", "id = = 3"]
)
def test_malformed_conditions_are_refused(bad: str) -> None:
    with pytest.raises(ConditionError):
        parse_conditions(bad)(TICKET)
