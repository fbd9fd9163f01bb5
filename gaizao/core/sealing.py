"""Encrypting many values at once (批量加密), in this process or in a second one.

``crypto.encrypt_many`` and ``crypto.lookup_hash_many`` run the loops below with the current key.
A large write (the ledger import) hands them to a worker process with ``Background``, so that the
machine's second core encrypts while this process goes on (the import writes its audit entries
meanwhile). SM4 through ``cryptography`` holds the GIL, so a thread would not run beside it.

The worker is ``python -m gaizao.core.sealing``, started fresh (not a fork of a process that holds
database connections and threads, and without importing the caller's main module again, as
multiprocessing's "spawn" would). It imports nothing from Django, so it is ready in about 40 ms;
it reads one pickled job from its standard input (the working keys, never the master key, and
the values), writes the pickled result to its standard output and exits.
"""

from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import threading
import weakref
from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate
from pathlib import Path

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

IV_BYTES = 12
# Below this many values the worker's start costs more than it saves; they are computed here.
MIN_BACKGROUND_VALUES = 20_000


def encrypt_value(plain: str, *, key_id: bytes, algorithm: algorithms.SM4) -> bytes:
    """``key id | IV | ciphertext | GCM tag`` (``crypto`` describes the format), with a fresh IV."""
    iv = os.urandom(IV_BYTES)
    enc = Cipher(algorithm, modes.GCM(iv)).encryptor()
    body = enc.update(plain.encode("utf-8")) + enc.finalize()
    return key_id + iv + body + enc.tag


def encrypt_values(values: Iterable[str | None], *, key_id: bytes, algorithm: algorithms.SM4) -> list[bytes | None]:
    """``encrypt_value`` of each value; empty or None gives None (as an ``EncryptedTextField`` stores it).

    The IVs are drawn from the system's generator in one call rather than one per value (a system
    call each: a sixth of the time of 100,000 values)."""
    values = list(values)
    ivs = os.urandom(IV_BYTES * len(values))
    out: list[bytes | None] = []
    append = out.append
    for offset, plain in zip(range(0, len(ivs), IV_BYTES), values):
        if plain:
            iv = ivs[offset:offset + IV_BYTES]
            enc = Cipher(algorithm, modes.GCM(iv)).encryptor()
            body = enc.update(plain.encode("utf-8")) + enc.finalize()
            append(key_id + iv + body + enc.tag)
        else:
            append(None)
    return out


def hash_values(values: Iterable[str | None], *, mac: hmac.HMAC) -> list[str | None]:
    """The keyed SM3 hash (hex) of each value, from a prepared HMAC state; empty gives None."""
    copy = mac.copy
    out: list[str | None] = []
    append = out.append
    for plain in values:
        if plain:
            state = copy()
            state.update(plain.encode("utf-8"))
            append(state.finalize().hex())
        else:
            append(None)
    return out


class Keys:
    """The working keys a batch needs: what ``crypto.DataKey`` holds, in a form that pickles."""

    def __init__(self, key_id: bytes, enc_key: bytes, mac_key: bytes):
        self.key_id, self.enc_key, self.mac_key = key_id, enc_key, mac_key
        self.algorithm = algorithms.SM4(enc_key)
        self.mac = hmac.HMAC(mac_key, hashes.SM3())

    def __reduce__(self):
        return Keys, (self.key_id, self.enc_key, self.mac_key)

    def seal(self, encrypt: Sequence[Sequence[str | None]], hash: Sequence[Sequence[str | None]]):
        """Each list of ``encrypt`` encrypted and each list of ``hash`` hashed, in the order given."""
        return ([encrypt_values(values, key_id=self.key_id, algorithm=self.algorithm) for values in encrypt],
                [hash_values(values, mac=self.mac) for values in hash])


class Packed(Sequence):
    """A worker's list of ciphertexts or hashes (``None`` where a value was empty) as one joined value
    and where each item ends: how a long list crosses the pipe and stays in the caller — two objects
    instead of 100,000, unpickled in milliseconds (100,000 households' answer: 18 MB instead of 29 MB
    of small objects). An item is cut out when it is asked for."""

    __slots__ = ("_joined", "_ends", "_none")

    def __init__(self, joined, ends: array, none: frozenset = frozenset()):
        self._joined, self._ends, self._none = joined, ends, none

    @classmethod
    def of(cls, values: list) -> "Packed | list":
        """``values`` packed, or as they are when short or not all bytes (or all str)."""
        kinds = set(map(type, values)) - {type(None)}
        if len(values) < PACK_MIN or len(kinds) != 1 or not kinds <= {bytes, str}:
            return values
        none = frozenset(i for i, value in enumerate(values) if value is None) if None in values else frozenset()
        present = [value for value in values if value is not None] if none else values
        joined = (b"" if bytes in kinds else "").join(present)
        return cls(joined, array("q", accumulate(0 if value is None else len(value) for value in values)), none)

    def __reduce__(self):
        return Packed, (self._joined, self._ends, self._none)

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index in self._none:
            return None
        return self._joined[self._ends[index - 1] if index else 0:self._ends[index]]

    def __iter__(self):
        joined, none, start = self._joined, self._none, 0
        for index, end in enumerate(self._ends):
            yield None if none and index in none else joined[start:end]
            start = end

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, (str, bytes)) and list(self) == list(other)

    __hash__ = None


PACK_MIN = 1000  # a list of fewer values crosses the pipe as it is


def worker_environment() -> dict[str, str]:
    """The worker's environment: this process's, without the app's settings (GAIZAO_*: the data
    key, the secret key, the database password), and with the gaizao package on its path."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GAIZAO_")}
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
    return env


class Background:
    """Lists of values to encrypt and to hash, computed by a worker process while the caller goes on.

    ``result()`` gives ``(encrypted lists, hash lists)`` as ``Keys.seal`` does. A job may come in
    ``parts`` (each an ``(encrypt, hash)`` pair): the worker answers each part as soon as it is
    done, in order, so that ``result(0)`` (the lookup hashes a check needs first) returns while it
    still encrypts part 1. Small batches, and any failure to start the worker or to get its
    answer, fall back to computing in this process.
    """

    def __init__(self, keys: Keys, *, encrypt: Sequence[Sequence[str | None]] = (),
                 hash: Sequence[Sequence[str | None]] = (), parts: Sequence[tuple[Sequence, Sequence]] = ()):
        self._keys = keys
        self._parts = [(list(e), list(h)) for e, h in parts] if parts else [(list(encrypt), list(hash))]
        self._answers: list = []  # the parts read so far
        self._process: subprocess.Popen | None = None
        self._feeder: threading.Thread | None = None
        if sum(len(values) for e, h in self._parts for values in (*e, *h)) < MIN_BACKGROUND_VALUES:
            return
        job = pickle.dumps((keys, self._parts), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._process = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, env=worker_environment())
        except OSError:  # no second process here: compute in this one
            return
        _widen(self._process.stdout)
        # The job is written by a thread, so that this process goes on while the worker starts.
        self._feeder = threading.Thread(target=self._feed, args=(job,), name="gaizao-sealing", daemon=True)
        self._feeder.start()
        # A job whose answer is never read (the import stopped at an error) must not leave the worker
        # blocked on a full pipe: it is stopped when the job is dropped.
        weakref.finalize(self, _stop, self._process)

    @property
    def in_background(self) -> bool:
        """Whether the worker process is doing (or did) the work."""
        return self._process is not None

    @property
    def running(self) -> bool:
        """Whether the worker process is still alive."""
        return self._process is not None and self._process.poll() is None

    def _feed(self, job: bytes) -> None:
        try:
            with self._process.stdin as stdin:
                stdin.write(job)
        except (OSError, ValueError):
            pass  # the worker is gone (or was stopped): result() computes here

    def ready(self, part: int | None = None) -> bool:
        """Whether ``result(part)`` would answer without waiting (the worker has begun to send it)."""
        part = len(self._parts) - 1 if part is None else part
        if len(self._answers) > part or self._process is None:
            return True
        if len(self._answers) < part:  # the parts before it are read first
            self.result(part - 1)
            if self._process is None:
                return True
        readable, _w, _x = select.select([self._process.stdout], [], [], 0)
        return bool(readable)

    def result(self, part: int | None = None):
        """The answer of one part (the last one when not given: a job of one part gives its only one)."""
        part = len(self._parts) - 1 if part is None else part
        while len(self._answers) <= part:
            self._answers.append(self._next())
        if self._answers[part] is None:
            raise RuntimeError(f"part {part} was taken")
        return self._answers[part]

    def take(self, part: int | None = None):
        """``result(part)``, which this job then forgets (a large answer is not held twice)."""
        answer = self.result(part)
        self._answers[len(self._parts) - 1 if part is None else part] = None
        return answer

    def _next(self):
        index = len(self._answers)
        if self._process is not None:
            self._feeder.join()
            try:
                # from the pipe: the pickled bytes are never held whole
                answer = pickle.load(self._process.stdout)
            except (pickle.UnpicklingError, EOFError, ValueError, OSError):
                answer = None
            if answer is not None and (index + 1 < len(self._parts) or self._finished()):
                return answer
            self.close()
            self._process = None  # the worker failed (killed, out of memory): compute here instead
        return self._keys.seal(*self._parts[index])

    def _finished(self) -> bool:
        self._process.stdout.close()
        return self._process.wait() == 0

    def close(self) -> None:
        """Stop the worker if its result is no longer wanted (the write it was for failed)."""
        if self._process is not None:
            _stop(self._process)
            self._feeder.join()


PIPE_BYTES = 1024 * 1024


def _widen(stream) -> None:
    """The answers' pipe widened from 64 KB to ``PIPE_BYTES`` (Linux's default limit for a user): a
    100,000-household answer then crosses in 16 pieces, not 250, each of which this process reads
    when the inserting thread lets go of the GIL (the import's wait for it: 0.09 s -> 0.045 s)."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError, ValueError):
        pass  # elsewhere, or above the system's limit: the pipe stays as it was


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    if not process.stdout.closed:
        process.stdout.close()


def _serve() -> None:
    """The worker: one job from standard input, its result to standard output.

    Each part is answered as soon as it is done, by a thread, while the next is computed: a pipe
    holds 1 MB at most (``_widen``; 64 KB where it could not be widened) and a part several MB, so a
    part written here would wait until the caller reads it (the ledger import reads the heads' hashes
    only when its plan starts; measured with 64 KB: part 1 began 0.9 s late and was not ready when the
    write began). The thread needs the GIL back after each piece the pipe takes, from the thread that
    encrypts: the switch interval is lowered so that it waits 0.5 ms for it, not 5 ms (measured with
    64 KB: a part of 100,000 hashes in ~110 pieces, 0.55 s of the plan's wait).
    """
    sys.setswitchinterval(0.0005)
    keys, parts = pickle.load(sys.stdin.buffer)
    sender: threading.Thread | None = None
    for index, (encrypt, hash) in enumerate(parts):
        # Each list packed as soon as it is made, and a part's values let go once answered: the
        # worker holds one list of small objects at a time (its peak).
        answer = ([Packed.of(encrypt_values(values, key_id=keys.key_id, algorithm=keys.algorithm))
                   for values in encrypt], [Packed.of(hash_values(values, mac=keys.mac)) for values in hash])
        parts[index] = encrypt = hash = None
        if sender is not None:  # the answers leave in order
            sender.join()
        sender = threading.Thread(target=_send, args=(answer,), name="gaizao-sealing-answer")
        sender.start()
    if sender is not None:
        sender.join()


def _send(answer) -> None:
    try:  # pickled into the pipe as it goes (never whole in memory: the worker's peak)
        pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
        sys.stdout.buffer.flush()
    except OSError:  # the caller is gone, or dropped the job: nothing more to do
        os._exit(1)


if __name__ == "__main__":  # the module under its own name, so that its answers unpickle as sealing's
    from gaizao.core import sealing

    sealing._serve()
