"""Insight beyond the figures: how a client compares with its peers, and where its figures are heading."""
