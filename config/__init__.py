"""The project's wiring that knows every app: the URLconf (config.urls)."""
