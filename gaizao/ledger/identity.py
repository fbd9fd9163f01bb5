"""One ID, one person (一人一证): the rules on citizen IDs across households, for every write.

A person, known by the keyed hash of their citizen ID (``Household.head_id_hash``, ``Person.id_hash``),
is the head (户主) of at most one household and a member (家庭成员) of at most one household — the
same one: the head listed again among their own household's members (relation 户主, as street
sheets do) is allowed. Refused, across the whole district (every project, every street):

- ``TWO_HEADS``: the head of two households;
- ``TWO_HOUSEHOLDS``: a member of two households;
- ``HEAD_AND_MEMBER``: the head of one household and a member of another, either way round;
- ``TWICE``: a member twice in one household.

``check`` is the one place these are decided. The services (pages and API) pass one claim, the
import every head and member of its file; the answer is the refusals with their Chinese messages.
A message names the other household (project, 户号, head) only to an actor who may read it
(``household_scope``); otherwise it says that the person is registered in another household of the
district, never where. ``violations`` finds what breaks the rules in the stored data.

Two kinds of batch:

- stored households (``project=None``): ``Claim.household`` is the household's key, or ``None`` for
  one being created; ``Claim.person`` the member being edited, whose own record never counts;
- a file (``project`` given): ``Claim.household`` is a 户号 in ``project``. The file is the new truth
  for the households it lists, so claims of stored households that the file replaces do not count:
  a stored head of a household the file gives another head (heads swapped, or replaced); a stored
  member of a household whose members the file lists (``listed``) without them, when the file lists
  them as a member of another of its households — they move there (``Verdict.moves``: the import
  moves their record, it never deletes one). A member row with the ID of a stored member of the
  same household is that member (the import matches members by ID). A claim that holds only
  because of such a replacement needs the replacing household to be written too
  (``Verdict.depends``): an import that leaves that household out must leave the claim out.

Set-based: the batch is checked within itself in memory, and against the database with two
queries per ``CHUNK`` distinct IDs (stored heads, stored members), plus, only when something is
refused, one query per chunk of households to name and one to decide who may read them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Count, F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gaizao.core.actors import is_system
from gaizao.ledger.models import Household, Person, Project

HEAD, MEMBER = "head", "member"
TWO_HEADS, TWO_HOUSEHOLDS, HEAD_AND_MEMBER, TWICE = "two_heads", "two_households", "head_and_member", "twice"
RULES = {
    TWO_HEADS: gettext_lazy("一人只能是一户的户主"),
    TWO_HOUSEHOLDS: gettext_lazy("一人只能是一户的家庭成员"),
    HEAD_AND_MEMBER: gettext_lazy("一户的户主不能又是另一户的家庭成员"),
    TWICE: gettext_lazy("同一人在一户中只能登记一次"),
}
CHUNK = 5000  # distinct IDs per IN (...) list
# A batch asking for more than READ_WHOLE times the IDs the district holds reads those whole (``_stored``);
# they are counted (up to that many) only for a batch of READ_WHOLE_MIN × READ_WHOLE IDs or more.
READ_WHOLE, READ_WHOLE_MIN = 4, 1000
_SHOWN = 3  # other rows of the batch named in one message


@dataclass(slots=True, eq=False)
class Claim:
    """A citizen ID (its keyed hash) claimed as the head or a member of a household."""

    digest: str
    household: int | str | None  # stored key; a 户号 when the batch is a file; None: not stored yet
    role: str  # HEAD or MEMBER
    person: int | None = None  # the stored member this claim edits
    ref: object = None  # the caller's handle (a file row), returned with its refusal


@dataclass(slots=True)
class Refusal:
    claim: Claim
    rule: str  # TWO_HEADS, TWO_HOUSEHOLDS, HEAD_AND_MEMBER or TWICE
    message: str


@dataclass(slots=True)
class Move:
    """A stored member whom a file lists in another of its households (迁户): their record moves."""

    claim: Claim  # the member row in the new household
    person: int  # the stored member's key
    source: str  # the 户号 they leave


@dataclass
class Verdict:
    refusals: list[Refusal] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    depends: list[tuple[Claim, str]] = field(default_factory=list)  # (claim, 户号 whose change it needs)

    @property
    def ok(self) -> bool:
        return not self.refusals


@dataclass(slots=True)
class _Stored:
    role: str
    household: int  # its key
    key: int | str  # as the batch names households: its 户号 when it is in the file's project
    person: int | None  # a member's key


def _chunks(items: list, size: int | None = None):
    size = size or CHUNK
    for start in range(0, len(items), size):
        yield items[start:start + size]


def check(claims: Iterable[Claim], *, actor, project: Project | None = None, listed: Collection[str] = (),
          place: Callable[[Claim], str] | None = None) -> Verdict:
    """The refusals of a batch of claims: within the batch, and against every stored household.

    ``listed``: for a file, the 户号 whose members it lists in full; ``place(claim)`` names another
    claim of the batch in a message (a file: "「家庭成员」表第 5 行（户号 DH-103）").
    """
    place = place or (lambda claim: _("户号 %(no)s") % {"no": claim.household})
    # A digest's claims: one Claim, or a list when the batch has more than one (the head listed among
    # the members, most often); no list per claim, for 100,000 households and their members.
    groups: dict[str, Claim | list[Claim]] = {}
    for claim in claims:
        found = groups.get(claim.digest)
        if found is None:
            groups[claim.digest] = claim
        elif isinstance(found, list):
            found.append(claim)
        else:
            groups[claim.digest] = [found, claim]
    verdict = Verdict()
    refused: dict[int, tuple[str, str, object]] = {}  # id(claim) -> (rule, "batch"/"stored", detail)
    for digest, group in groups.items():
        if isinstance(group, list):
            _within(group, refused)
    stored = _stored(list(groups), project)
    heads = {c.household: c.digest for g in groups.values() for c in (g if isinstance(g, list) else (g,))
             if c.role == HEAD} if project is not None and stored else {}
    listed = set(listed)
    for digest, hits in stored.items():
        group = groups[digest]
        group = group if isinstance(group, list) else [group]
        for claim in group:
            for hit in hits:
                _against(claim, hit, group, project is not None, heads, listed, refused, verdict)
    if refused:
        _word(groups, refused, actor=actor, place=place, verdict=verdict)
    verdict.moves = [m for m in verdict.moves if id(m.claim) not in refused]
    verdict.depends = [(c, key) for c, key in verdict.depends if id(c) not in refused]
    return verdict


def _within(group: list[Claim], refused: dict) -> None:
    """Claims of one ID inside the batch."""
    heads = {c.household for c in group if c.role == HEAD}
    members: dict = defaultdict(int)
    for c in group:
        if c.role == MEMBER:
            members[c.household] += 1
    for claim in group:
        own = claim.household
        if claim.role == HEAD:
            if len(heads) > 1:
                rule, role = TWO_HEADS, HEAD
            elif any(h != own for h in members):
                rule, role = HEAD_AND_MEMBER, MEMBER
            else:
                continue
        elif members[own] > 1:
            rule, role = TWICE, MEMBER
        elif any(h != own for h in members):
            rule, role = TWO_HOUSEHOLDS, MEMBER
        elif any(h != own for h in heads):
            rule, role = HEAD_AND_MEMBER, HEAD
        else:
            continue
        others = [c for c in group if c is not claim and c.role == role
                  and ((c.household == own) == (rule == TWICE))]
        refused[id(claim)] = (rule, "batch", others)


def _stored(digests: list[str], project: Project | None) -> dict[str, list[_Stored]]:
    """The stored heads and members with these IDs: two queries per chunk, or two in all when the
    district holds fewer IDs than a ``READ_WHOLE``-th of those asked (a file into a small ledger).

    Written as SQL: Django's ``__in`` prepares each value through the field (measured: 100,000
    heads, 1.3 s of 1.5 s in ``batch_process_rhs``); the hashes are plain text already. An
    ``IN (…)`` list is sorted and probed value by value, whatever the table holds: 100,000 IDs
    asked of an empty ledger took 0.17 s, reading the stored IDs whole a few milliseconds.
    """
    found: dict[str, list[_Stored]] = defaultdict(list)
    here = project.pk if project is not None else None
    heads_sql, members_sql = _queries()
    with connections[router.db_for_write(Household)].cursor() as cursor:
        enough = len(digests) // READ_WHOLE
        if enough >= READ_WHOLE_MIN:  # a few IDs (a page's one) are looked up without counting first
            cursor.execute(_count_query(), [enough, enough])
            small = cursor.fetchone()[0] < enough
        else:
            small = False
        if small:
            wanted = set(digests)
            chunks = [None]  # one pass over every stored ID, kept when asked
        else:
            wanted, chunks = None, _chunks(digests)
        for chunk in chunks:
            marks = "IS NOT NULL" if chunk is None else f"IN ({', '.join(['%s'] * len(chunk))})"
            cursor.execute(heads_sql % marks, chunk)
            for digest, pk, project_id, number in cursor.fetchall():
                if wanted is None or digest in wanted:
                    found[digest].append(_Stored(HEAD, pk, number if project_id == here else pk, None))
            cursor.execute(members_sql % marks, chunk)
            for digest, pk, household, project_id, number in cursor.fetchall():
                if wanted is None or digest in wanted:
                    found[digest].append(_Stored(MEMBER, household, number if project_id == here else household, pk))
    return found


def _queries() -> tuple[str, str]:
    """SELECT … WHERE hash %s for stored heads and stored members (``IN (…)`` or ``IS NOT NULL``),
    names from the models."""
    household, person = Household._meta, Person._meta
    qn = connections[router.db_for_write(Household)].ops.quote_name

    def column(meta, name):
        return qn(meta.get_field(name).column)

    h, p = qn(household.db_table), qn(person.db_table)
    heads = (f"SELECT {column(household, 'head_id_hash')}, {column(household, 'id')}, "
             f"{column(household, 'project')}, {column(household, 'number')} FROM {h} "
             f"WHERE {column(household, 'head_id_hash')} %s")
    members = (f"SELECT {p}.{column(person, 'id_hash')}, {p}.{column(person, 'id')}, "
               f"{p}.{column(person, 'household')}, {h}.{column(household, 'project')}, "
               f"{h}.{column(household, 'number')} FROM {p} "
               f"JOIN {h} ON {h}.{column(household, 'id')} = {p}.{column(person, 'household')} "
               f"WHERE {p}.{column(person, 'id_hash')} %s")
    return heads, members


def _count_query() -> str:
    """How many IDs the district holds, heads and members, counted up to the number given for each."""
    household, person = Household._meta, Person._meta
    qn = connections[router.db_for_write(Household)].ops.quote_name
    h, p = qn(household.db_table), qn(person.db_table)
    head, member = qn(household.get_field("head_id_hash").column), qn(person.get_field("id_hash").column)
    return (f"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {h} WHERE {head} IS NOT NULL LIMIT %s) heads)"
            f" + (SELECT COUNT(*) FROM (SELECT 1 FROM {p} WHERE {member} IS NOT NULL LIMIT %s) members)")


def _against(claim: Claim, hit: _Stored, group: list[Claim], in_file: bool, heads: dict, listed: set,
             refused: dict, verdict: Verdict) -> None:
    """One claim against one stored claim of the same ID."""
    if hit.role == MEMBER and hit.person == claim.person and claim.person is not None:
        return  # the record being edited
    if hit.key == claim.household:
        if hit.role != claim.role or hit.role == HEAD or in_file:
            return  # the head among their own members; the same head; a file row matched by ID
        rule = TWICE
    else:
        if in_file and hit.role == HEAD and heads.get(hit.key, claim.digest) != claim.digest:
            verdict.depends.append((claim, hit.key))  # the file gives that household another head
            return
        if in_file and hit.role == MEMBER and hit.key in listed and not any(
                c.role == MEMBER and c.household == hit.key for c in group):
            mover = next((c for c in group if c.role == MEMBER), None)
            if mover is not None:  # the file lists them in another household: they move there
                verdict.depends.append((claim, hit.key))
                if claim is mover:
                    verdict.moves.append(Move(claim=claim, person=hit.person, source=hit.key))
                return
        if hit.role == claim.role:
            rule = TWO_HEADS if hit.role == HEAD else TWO_HOUSEHOLDS
        else:
            rule = HEAD_AND_MEMBER
    if id(claim) not in refused:
        refused[id(claim)] = (rule, "stored", hit)


def _word(groups: dict, refused: dict, *, actor, place, verdict: Verdict) -> None:
    """The messages: the other household named when the actor may read it."""
    hits = [detail for rule, kind, detail in refused.values() if kind == "stored"]
    names = _household_names({hit.household for hit in hits})
    visible = _visible(actor, set(names))
    twice = [detail.person for rule, kind, detail in refused.values() if kind == "stored" and rule == TWICE]
    twins = dict(Person.objects.filter(pk__in=twice).values_list("id", "name")) if twice else {}
    for group in groups.values():
        for claim in group if isinstance(group, list) else (group,):
            found = refused.get(id(claim))
            if found is None:
                continue
            rule, kind, detail = found
            if kind == "batch":
                shown = _("、").join(place(c) for c in detail[:_SHOWN])
                if len(detail) > _SHOWN:
                    shown += _("等 %(n)d 处") % {"n": len(detail)}
                if rule == TWICE:
                    text = _("该身份证号在本户中又列于%(where)s") % {"where": shown}
                elif rule == TWO_HEADS or (rule == HEAD_AND_MEMBER and claim.role == MEMBER):
                    text = _("该身份证号又是%(where)s的户主") % {"where": shown}
                else:
                    text = _("该身份证号又列为%(where)s的家庭成员") % {"where": shown}
                message = _("%(text)s；%(rule)s。") % {"text": text, "rule": RULES[rule]}
            elif rule == TWICE:
                message = _("本户已登记该身份证号的家庭成员「%(name)s」；%(rule)s。") % {
                    "name": twins.get(detail.person, ""), "rule": RULES[rule]}
            else:
                hidden = detail.household not in visible
                where = _("本区另一户（不在你的管辖范围内）") if hidden else names[detail.household]
                role = _("户主") if detail.role == HEAD else _("家庭成员")
                message = _("该身份证号已是%(where)s的%(role)s；%(rule)s。") % {
                    "where": where, "role": role, "rule": RULES[rule]}
                if hidden:
                    message += _("如有疑问请联系区领导小组办公室。")
            verdict.refusals.append(Refusal(claim=claim, rule=rule, message=message))


def _household_names(keys: set[int]) -> dict[int, str]:
    names = {}
    for chunk in _chunks(list(keys)):
        for pk, code, number, head in Household.objects.filter(pk__in=chunk).order_by().values_list(
                "id", "project__code", "number", "head_name"):
            names[pk] = _("项目 %(code)s 户号 %(no)s（户主 %(head)s）") % {
                "code": code, "no": number, "head": head}
    return names


def _visible(actor, keys: set[int]) -> set[int]:
    """Which of these households the actor may read (the system actor: all)."""
    if is_system(actor) or not keys:
        return set(keys)
    from gaizao.ledger.policies import household_scope

    visible: set[int] = set()
    for chunk in _chunks(list(keys)):
        visible.update(household_scope(actor).filter(pk__in=chunk).values_list("id", flat=True))
    return visible


@dataclass(slots=True)
class Violation:
    """Stored data breaking a rule (for checks of the whole ledger): the rule and the households."""

    rule: str
    households: tuple[int, ...]


def violations() -> list[Violation]:
    """Every breach of the rules in the stored data: four aggregate queries, and one for each
    breach found to name its households."""
    found = []
    heads = (Household.objects.exclude(head_id_hash=None).values("head_id_hash").order_by()
             .annotate(n=Count("id")).filter(n__gt=1).values_list("head_id_hash", flat=True))
    for digest in heads:
        found.append(Violation(TWO_HEADS, tuple(Household.objects.filter(head_id_hash=digest)
                                                .order_by("id").values_list("id", flat=True))))
    members = Person.objects.exclude(id_hash=None)
    many = (members.values("id_hash").order_by().annotate(n=Count("household_id", distinct=True))
            .filter(n__gt=1).values_list("id_hash", flat=True))
    for digest in many:
        found.append(Violation(TWO_HOUSEHOLDS, tuple(members.filter(id_hash=digest).order_by("household_id")
                                                     .values_list("household_id", flat=True).distinct())))
    twice = (members.values("id_hash", "household_id").order_by().annotate(n=Count("id")).filter(n__gt=1)
             .values_list("household_id", flat=True))
    found.extend(Violation(TWICE, (household,)) for household in twice)
    crossed = (members.filter(id_hash__in=Household.objects.exclude(head_id_hash=None).values("head_id_hash"))
               .exclude(household__head_id_hash=F("id_hash")).order_by().values_list("id_hash", "household_id"))
    for digest, household in crossed:
        for head in Household.objects.filter(head_id_hash=digest).values_list("id", flat=True):
            found.append(Violation(HEAD_AND_MEMBER, (head, household)))
    return found
