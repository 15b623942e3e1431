"""Loopback fakes of the vendor APIs (ConnectWise, NinjaOne, QuickBooks) for the tests and the benchmarks."""
