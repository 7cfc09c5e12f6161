"""Referrals of a person to another agency's service, and records of informal exchanges (issue 14)."""
