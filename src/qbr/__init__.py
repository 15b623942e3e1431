"""QBR Dashboard: quarterly business review numbers for Managed Service Providers."""

__version__ = "0.1.0"
