"""The Flask application factory (the hub's composition root for HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, jsonify

from web.hub import Hub
from web.reuse import dataset_statistics
from web.settings import instance_path, load_settings


def create_app(test_config: dict[str, Any] | None = None, hub: Hub | None = None) -> Flask:
    """Build the app. ``test_config`` may set ``INSTANCE`` (a folder) and any setting by name."""
    test_config = dict(test_config or {})
    instance = Path(test_config.pop("INSTANCE", None) or (hub.instance if hub else instance_path()))
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    if hub is None:
        hub = Hub(instance, load_settings(instance, overrides=test_config))
    app.config.update(hub.settings)
    app.config.update(test_config)
    app.config["SECRET_KEY"] = hub.secret_key()
    # Every body is bounded before it is parsed: forms, JSON and queries (413 above the limit).
    limit = int(hub.settings["MAX_REQUEST_KB"]) * 1024
    app.config.update(MAX_CONTENT_LENGTH=limit, MAX_FORM_MEMORY_SIZE=limit, MAX_FORM_PARTS=1000)
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["srom"] = hub
    # Section layouts registered by plugins may bring their own templates.
    from jinja2 import ChoiceLoader

    from web.exhibitions.layouts import LayoutTemplateLoader

    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, LayoutTemplateLoader()])  # type: ignore[list-item]
    app.extensions["srom_store"] = hub.store

    from sparql_endpoint.blueprint import bp as sparql_bp
    from web.views.exhibitions import bp as exhibitions_bp
    from web.views.home import bp as home_bp
    from web.views.objects import bp as objects_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(objects_bp)
    app.register_blueprint(exhibitions_bp)
    app.register_blueprint(sparql_bp)
    from web.views.workbench import bp as workbench_bp  # issue 12: the researchers' workbench at /sparql

    app.register_blueprint(workbench_bp)

    from web.accounts.auth import init_auth
    from web.views.api import bp as api_bp
    from web.views.auth import bp as auth_bp
    from web.views.manage import bp as manage_bp

    init_auth(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(api_bp)

    from web.views.vocabulary import bp as vocabulary_bp  # issue 4: the unmatched-terms review

    app.register_blueprint(vocabulary_bp)

    from web.views.curate import bp as curate_bp
    from web.views.curate_tools import bp as curate_tools_bp

    app.register_blueprint(curate_bp)
    app.register_blueprint(curate_tools_bp)

    from web.views.quality import bp as quality_bp  # issue 4: the quality report per feed

    app.register_blueprint(quality_bp)

    from web.views.explore import bp as explore_bp  # issue 13, 14: search and browse every museum

    app.register_blueprint(explore_bp)

    from web.views.activity import bp as activity_bp  # issue 12, 3: the change feed
    from web.views.reuse import bp as reuse_bp  # issue 12, 3: VoID, dumps, the Linked Art context

    app.register_blueprint(activity_bp)
    app.register_blueprint(reuse_bp)
    app.extensions["srom_dataset_statistics"] = lambda: dataset_statistics(hub)

    from web.i18n import init_i18n

    init_i18n(app)
    from web.headers import install_security_headers

    install_security_headers(app)
    _register_errors(app)
    return app


def _register_errors(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException

    from store.base import QueryTimeout, StoreUnavailable
    from web.error_pages import error_page
    from web.errors import HubError
    from web.views.common import wants_json

    def envelope(status: int, message: str):
        if wants_json():
            return jsonify({"ok": False, "error": message, "status": status}), status
        return error_page(status)  # people read a plain, translated sentence; the reason goes to JSON only

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return envelope(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(HubError)
    def hub_error(exc: HubError):
        return envelope(exc.status, str(exc))

    @app.errorhandler(QueryTimeout)
    def timeout(exc: QueryTimeout):
        return envelope(503, f"the query took too long: {exc}")

    @app.errorhandler(StoreUnavailable)
    def unavailable(exc: StoreUnavailable):
        return envelope(503, f"the store is unavailable: {exc}")
