"""Changing metric data: values from every source (API, CSV, connectors, manual corrections) and the metric
catalog, each change recomputing the rollups and KPIs it touches; with the /metrics and /metric-definitions routes."""
