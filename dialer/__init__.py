"""Predictive dialer for collection teams: campaigns, pacing, lists, compliance, reporting."""
