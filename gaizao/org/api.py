"""The org API: who am I, and the org units I may see (always through the scope functions)."""

from __future__ import annotations

from ninja import Router, Schema

from gaizao.org import selectors

router = Router(tags=["组织与账号"])


class RoleOut(Schema):
    role: str
    role_label: str
    unit_code: str
    unit_name: str


class MeOut(Schema):
    username: str
    name: str
    roles: list[RoleOut]
    second_factor_required: bool


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    parent_code: str | None
    path: str


@router.get("/me", response=MeOut, summary="当前账号")
def me(request):
    """The account the token or session belongs to, with its roles and their org units."""
    user = request.auth
    return {
        "username": user.username,
        "name": user.full_name,
        "roles": [
            {"role": m.role, "role_label": str(m.get_role_display()), "unit_code": m.org_unit.code,
             "unit_name": m.org_unit.name}
            for m in selectors.user_roles(user)
        ],
        "second_factor_required": user.needs_second_factor,
    }


@router.get("/units", response=list[UnitOut], summary="组织机构（按权限范围）")
def units(request):
    """Org units in tree order (by path), limited to what the account may see."""
    return [
        {"code": u.code, "name": u.name, "kind": u.kind, "kind_label": str(u.get_kind_display()),
         "parent_code": u.parent.code if u.parent_id else None, "path": u.path}
        for u in selectors.orgunit_scope(request.auth).select_related("parent").order_by("path")
    ]
