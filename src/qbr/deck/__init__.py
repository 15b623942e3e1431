"""The QBR as an editable PowerPoint deck: native charts and real tables the account manager edits."""
