"""An included URL map that is imported when it is first used, not when the site's map is built.

Why: the API's map imports every router and builds every request and response schema (half a
second on this machine). A command that needs the address of one page (a finished task's page,
for the message to its owner) loaded all of it, as did every reverse lookup outside the web
server. Django builds the site's reverse lookups by asking each included map to build its own;
a *namespaced* include keeps its lookups to itself (they are reached through its namespace), so
this one builds them, and imports its module, only when something asks for them: a reverse
lookup in its namespace, or a request whose path it matches. The web server loads it before it
forks (``infuse.core.web_server.when_ready``), so no visitor waits for it.

This leans on ``URLResolver._populate``, which is private to Django: the tests reverse and
resolve through a deferred include, and check that building the site's map leaves it unloaded.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern


class DeferredResolver(URLResolver):
    """``path(route, include((module, app_name), namespace))``, imported and indexed on first
    use."""

    def __init__(self, route: str, module: str, *, app_name: str, namespace: str) -> None:
        super().__init__(
            RoutePattern(route, is_endpoint=False), module, app_name=app_name, namespace=namespace
        )
        self._wanted = False

    @property
    def loaded(self) -> bool:
        return "url_patterns" in self.__dict__

    def _populate(self) -> None:
        # Asked by the site's map as it builds its own lookups: wait until this one is used.
        if self._wanted:
            super()._populate()

    def _want(self) -> None:
        self._wanted = True

    @property
    def reverse_dict(self) -> Any:
        self._want()
        return super().reverse_dict

    @property
    def namespace_dict(self) -> Any:
        self._want()
        return super().namespace_dict

    @property
    def app_dict(self) -> Any:
        self._want()
        return super().app_dict

    def _is_callback(self, name: str) -> bool:
        self._want()
        return super()._is_callback(name)

    def _reverse_with_prefix(
        self, lookup_view: Any, _prefix: str, *args: Any, **kwargs: Any
    ) -> str:
        self._want()
        return super()._reverse_with_prefix(lookup_view, _prefix, *args, **kwargs)  # type: ignore[misc]  # private, not in the stubs


def load_everything(resolver: URLResolver) -> int:
    """Import every included map under ``resolver``, deferred ones too; how many patterns."""
    count = 0
    for pattern in resolver.url_patterns:
        count += load_everything(pattern) if isinstance(pattern, URLResolver) else 1
    return count
