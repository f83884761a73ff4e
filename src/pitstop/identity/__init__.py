"""Users, roles, scopes, sessions, API tokens and the one access policy."""
