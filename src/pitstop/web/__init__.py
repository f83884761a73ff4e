"""App factory, error mapping, request context, layout templates and static assets."""
