"""Okta Users and Groups API."""
