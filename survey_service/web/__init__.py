"""Server-rendered pages: Jinja templates and static files shared by resident and staff pages."""
