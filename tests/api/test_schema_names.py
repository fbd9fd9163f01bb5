"""Every schema of the API has a name of its own: the OpenAPI document keys schemas by class name, so two
apps' ``DecisionIn`` would show one of them for both (the docs wrong for the other)."""

from collections import defaultdict

from gaizao.api.api import api


def _schemas(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schemas(sub)


def test_no_two_api_schemas_share_a_name():
    from ninja import Schema

    api.get_openapi_schema(path_prefix="/api/")  # every app's routers imported
    names = defaultdict(set)
    for schema in _schemas(Schema):
        if schema.__module__.startswith("gaizao."):
            names[schema.__name__].add(schema.__module__)
    assert {name: sorted(modules) for name, modules in names.items() if len(modules) > 1} == {}
