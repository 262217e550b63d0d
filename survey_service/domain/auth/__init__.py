"""Staff accounts, roles and permissions, sessions, API tokens, and the one guard every route passes."""
