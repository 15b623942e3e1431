"""The reports of a review as files: one organization's (``qbr report``) or every organization's at once."""
