"""The application on top: the FastAPI app factory, every domain's router, middleware, health and the pages."""
