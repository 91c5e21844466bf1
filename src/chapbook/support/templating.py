"""The Jinja2 environment that every writer renders its templates with."""

from __future__ import annotations

from functools import cache

import jinja2


@cache
def environment() -> jinja2.Environment:
    """Templates from the package, strict about undefined names, escaping by default."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("chapbook", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
