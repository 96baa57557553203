"""Blueprints of the web app, one module per area (home & museums, objects, exhibitions)."""
