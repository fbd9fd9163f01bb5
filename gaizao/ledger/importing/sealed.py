"""The household sheet's personal numbers, hashed and encrypted while the import goes on (提前加密).

As soon as the household sheet's 户主身份证号 and 联系电话 columns are converted (validate.py), their
distinct values go to a worker process (``crypto.background``, ``gaizao.core.sealing``) in two
parts: first the IDs' keyed hashes, which the plan's one-ID-one-person check needs
(``hashes``), then the IDs and phones encrypted and the phones hashed, which the write needs
(``numbers``). The worker thus runs beside the rest of the parse and the plan, on the core they
leave idle, instead of beside the write, which needs both cores (its rows are made while the
database inserts: ``core.bulk.RowWriter``).

Only an import that is going to write asks for it (``parse_file(seal=True)``); a preview hashes
in this process as before. Fewer values than the worker's threshold are computed here when asked.
"""

from __future__ import annotations

from collections.abc import Iterable

from gaizao.core import crypto
from gaizao.core.tabular import Masked


def _plain(values: Iterable) -> list[str]:
    """The distinct numbers as typed (not blank, not masked), in order."""
    distinct = dict.fromkeys(values)  # in C; blanks and masked numbers dropped after (few, if any)
    distinct.pop(None, None)
    distinct.pop("", None)
    if set(map(type, distinct)) <= {str}:
        return list(distinct)
    return [value for value in distinct if not isinstance(value, Masked)]


class Sealed:
    """The keyed hashes and ciphertexts of the household sheet's head IDs and phones."""

    def __init__(self, ids: Iterable, phones: Iterable):
        self.ids, self.phones = _plain(ids), _plain(phones)
        self._job = crypto.background(parts=[((), (self.ids,)), ((self.ids, self.phones), (self.phones,))])

    def hashes(self, numbers: list[str]) -> list[str | None]:
        """The keyed hash (``crypto.lookup_hash``) of each of ``numbers`` the worker was given, None for
        the others (the heads first, then the members, as the plan asks)."""
        _encrypted, (hashes,) = self._job.result(0)
        return answers_for(list(hashes), self.ids, numbers)

    def ready(self) -> bool:
        """Whether ``numbers()`` would answer without waiting for the worker."""
        return self._job.ready(1)

    def numbers(self) -> tuple[list[bytes], list[bytes], list[str]]:
        """The head IDs' ciphertexts in the order of ``ids``, the phones' ciphertexts and keyed hashes in
        the order of ``phones`` (once: not kept here)."""
        (ids, phones), (phone_hashes,) = self._job.take(1)
        return ids, phones, phone_hashes

    def close(self) -> None:
        """Stop the worker: its answer is no longer wanted."""
        self._job.close()


def answers_for(found: list, sealed: list, values: list, make=None) -> list:
    """The worker's answer for each of ``values``: ``found`` holds it for each of ``sealed`` (the file's
    distinct numbers, in order). Values that begin with exactly those, in that order (a file of new
    households, each number once), take the answer as it came: one comparison in C instead of a dict
    of 100,000 and a lookup each. The rest are matched by number; a blank gives None, a number the
    worker was not given ``make(number)`` (None without ``make``)."""
    size = len(sealed)
    if values[:size] == sealed:
        if len(values) == size:
            return found
        head, values = list(found), values[size:]
    else:
        head = []
    table = dict(zip(sealed, found))
    return [*head, *(None if not value else table[value] if value in table else make(value) if make else None
                     for value in values)]
