"""The web dashboard: server-rendered pages (Jinja2) in the same app as the API, signed in with a session cookie."""
