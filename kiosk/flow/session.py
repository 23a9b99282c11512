"""A resident's session: language, flow variables, the personal-data vault, activity time."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from kiosk.flow.dates import today
from kiosk.flow.outcome import Outcome
from kiosk.flow.schema import LANGUAGES
from kiosk.flow.services import Clock
from kiosk.privacy.masking import mask_personal
from kiosk.privacy.personal import PersonalValues, track, values_changed

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = LANGUAGES[0]

Listener = Callable[[str], None]
"""Called with what changed: `language`, `activity` or `deadline` (a prompt's timeout)."""


class Scope:
    """One frame of variables (the main flow or a sub-flow); personal values live in `vault`."""

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        personal: Iterable[str] = (),
        builtins: Callable[[], Mapping[str, Any]] | None = None,
        *,
        changed: Callable[[], None] | None = None,
    ):
        self.values: dict[str, Any] = {}
        self.vault: dict[str, Any] = {}
        self._builtins = builtins
        """Names every template sees besides the flow's own (`today`, `language`)."""
        self._fields: dict[str, frozenset[str]] = {}
        self._changed = changed
        """Called whenever the vault changes, so the session's `PersonalValues` (what every
        output is masked by) stay up to date."""
        hidden = set(personal)
        for name, value in (values or {}).items():
            self.set(name, value, personal=name in hidden)

    def set(
        self,
        name: str,
        value: Any,
        *,
        personal: bool = False,
        fields: Iterable[str] | None = None,
    ) -> None:
        """Store a variable, in the vault when it is personal data.

        `fields` names the keys of a personal mapping that identify the resident (a card's
        name and number, not its sex; a back-office reply's `personal_fields`); by default all
        of it does.
        """
        was_personal = name in self.vault
        self.values.pop(name, None)
        self.vault.pop(name, None)
        self._fields.pop(name, None)
        (self.vault if personal else self.values)[name] = value
        if personal and fields is not None:
            self._fields[name] = frozenset(fields)
        if (personal or was_personal) and self._changed is not None:
            self._changed()

    def get(self, name: str, default: Any = None) -> Any:
        """A variable's value, personal or not."""
        if name in self.vault:
            return self.vault[name]
        return self.values.get(name, default)

    def is_personal(self, name: str) -> bool:
        """Whether the variable is held in the vault."""
        return name in self.vault

    @property
    def personal_names(self) -> frozenset[str]:
        """Names of the variables holding personal data."""
        return frozenset(self.vault)

    def personal_values(self) -> list[Any]:
        """What in the vault identifies the resident (for `PersonalValues`)."""
        found: list[Any] = []
        for name, value in self.vault.items():
            fields = self._fields.get(name)
            if fields is not None and isinstance(value, Mapping):
                found.extend(value[key] for key in sorted(fields) if key in value)
            else:
                found.append(value)
        return found

    def masked_vault(self) -> dict[str, Any]:
        """The vault as others may see it: each identifying value masked by what it is (only a
        mapping's identifying `fields` when they were named)."""
        masked: dict[str, Any] = {}
        for name, value in self.vault.items():
            fields = self._fields.get(name)
            if fields is not None and isinstance(value, Mapping):
                masked[name] = {
                    key: mask_personal(item, str(key)) if key in fields else item
                    for key, item in value.items()
                }
            else:
                masked[name] = mask_personal(value)
        return masked

    def namespace(self) -> dict[str, Any]:
        """Every variable, for templates (a copy: templates cannot change the scope)."""
        builtins = self._builtins() if self._builtins is not None else {}
        return {**builtins, **self.values, **self.vault}

    def clear(self) -> None:
        """Forget every value."""
        had_personal = bool(self.vault)
        self.values.clear()
        self.vault.clear()
        self._fields.clear()
        if had_personal and self._changed is not None:
            self._changed()


class Session:
    """One resident's visit, from the first touch to finish, cancel or inactivity."""

    def __init__(
        self,
        clock: Clock,
        *,
        language: str = DEFAULT_LANGUAGE,
        session_id: str | None = None,
    ) -> None:
        self.id = session_id or str(uuid.uuid4())
        self.clock = clock
        self._language = _checked(language)
        self.started_at = clock.now()
        self.last_activity = self.started_at
        self._timeout: float | None = None
        self._holds = 0
        self._personal = PersonalValues()
        self.scope = Scope(builtins=self.builtins, changed=self._vault_changed)
        self._scopes: list[Scope] = [self.scope]
        self._temp_files: list[Path] = []
        self._listeners: list[Listener] = []
        self.outcome: Outcome | None = None
        self.ended = False
        # Logs, the journal and speech mask this session's values while it lives.
        track(self)
        self._passes: dict[str, int] = {}
        self.queued = 0
        """Submissions of this session left queued in the outbox (the result is then pending)."""

    def next_pass(self, place: str) -> int:
        """How many times this session has now come to `place` (1 the first time): a flow that
        loops back through a submission submits anew, under a new idempotency key."""
        self._passes[place] = self._passes.get(place, 0) + 1
        return self._passes[place]

    def builtins(self) -> dict[str, Any]:
        """What every template of this session may read: `today` (ISO date) and `language`."""
        return {"today": today(self.clock.now()), "language": self._language}

    # Language and activity --------------------------------------------------------------

    @property
    def language(self) -> str:
        """The resident's language; changing it re-renders the current prompt."""
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        self.set_language(value)

    def set_language(self, language: str) -> None:
        """Switch language mid-flow without losing progress."""
        language = _checked(language)
        if language == self._language:
            return
        self._language = language
        self.touch()
        self._notify("language")

    @property
    def timeout(self) -> float | None:
        """The timeout of the prompt now waiting for the resident, if any."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        if value == self._timeout:
            return
        self._timeout = value
        self._notify("deadline")

    @property
    def held(self) -> bool:
        """Whether the inactivity deadline is held (the kiosk is reading a question out)."""
        return self._holds > 0

    def hold(self) -> None:
        """Stop the inactivity clock: the resident is listening, not idle."""
        self._holds += 1
        self._notify("deadline")

    def release(self) -> None:
        """Start the inactivity clock again, from now."""
        self._holds = max(self._holds - 1, 0)
        self.touch()

    def touch(self) -> None:
        """Note resident activity now: pushes the inactivity deadline back."""
        self.last_activity = self.clock.now()
        self._notify("activity")

    @property
    def deadline(self) -> float | None:
        """When the waiting step times out (clock time), or None when nothing waits.

        While the deadline is `held` it stays where it was; watchers wait for its release.
        """
        if self.timeout is None:
            return None
        return self.last_activity + self.timeout

    def remaining(self) -> float | None:
        """Seconds left before the waiting step times out (for the UI's warning)."""
        deadline = self.deadline
        return None if deadline is None else max(deadline - self.clock.now(), 0.0)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` on changes; returns the function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, what: str) -> None:
        for listener in list(self._listeners):
            listener(what)

    # Variables ----------------------------------------------------------------------------

    @property
    def variables(self) -> dict[str, Any]:
        """The main flow's non-personal variables."""
        return self.scope.values

    @property
    def vault(self) -> dict[str, Any]:
        """The main flow's personal values (ID card reads, personal inputs...)."""
        return self.scope.vault

    @property
    def personal(self) -> PersonalValues:
        """The personal values of every scope's vault: every output is masked by them."""
        return self._personal

    def _vault_changed(self) -> None:
        values = [value for scope in self._scopes for value in scope.personal_values()]
        self._personal = PersonalValues(values)
        values_changed(self)

    def open_scope(self, values: Mapping[str, Any], personal: Iterable[str] = ()) -> Scope:
        """A child scope for a sub-flow, wiped with the session."""
        scope = Scope(values, personal, builtins=self.builtins, changed=self._vault_changed)
        self._scopes.append(scope)
        self._vault_changed()
        return scope

    def close_scope(self, scope: Scope) -> None:
        """Wipe and forget a sub-flow's scope once the sub-flow has returned."""
        scope.clear()
        if scope is not self.scope and scope in self._scopes:
            self._scopes.remove(scope)

    def register_temp_file(self, path: Path) -> None:
        """A temporary file (a scan, a receipt image) to delete when the session ends."""
        self._temp_files.append(Path(path))

    @property
    def holds_data(self) -> bool:
        """Whether anything of the resident remains in memory or in temporary files."""
        return any(s.values or s.vault for s in self._scopes) or any(
            p.exists() for p in self._temp_files
        )

    # Ending --------------------------------------------------------------------------------

    def end(self, outcome: Outcome | None) -> None:
        """End the session with its outcome and wipe everything personal."""
        self.outcome = outcome
        self.ended = True
        self.wipe()

    def wipe(self) -> None:
        """Clear variables, the vault and temporary files; reset the language."""
        for scope in self._scopes:
            scope.clear()
        del self._scopes[1:]
        self._vault_changed()
        for path in self._temp_files:
            try:
                path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("could not delete a session temporary file: %s", exc.strerror)
        self._temp_files.clear()
        self._timeout = None
        self._holds = 0
        self._language = DEFAULT_LANGUAGE


def _checked(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    return language
