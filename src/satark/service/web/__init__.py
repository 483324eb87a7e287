"""The server-rendered web UI (Jinja2 + htmx; the core flows work without JavaScript)."""
