"""The Django project package (settings, URLs, WSGI/ASGI) and the web console."""
