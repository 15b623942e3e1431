"""The QBR itself: a review per organization and period, its goals, the recommendations and published versions."""
