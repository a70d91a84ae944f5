"""Referral codes: built in the applications and queue issue."""
