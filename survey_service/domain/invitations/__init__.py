"""Invitations: single-use tokens and short codes for invitation-only survey waves."""
