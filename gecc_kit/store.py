"""The response store: workshops, participants and their answers.

Built on SQLAlchemy Core. The embedded default is one SQLite file in WAL mode
(``var/gecc.sqlite``); any SQLAlchemy URL works (``--store`` or
``$GECC_STORE_URL``), e.g. ``postgresql+psycopg://user:pw@host/gecc``.

Every answer is written the moment it changes (one upserted row per
participant and criterion), so a closed tab or a dead kernel loses nothing.
Writes to SQLite take the write lock up front (``BEGIN IMMEDIATE``) and wait
for it (busy timeout), and a write that still finds the database locked is
retried, so "database is locked" never reaches a participant.
"""
from __future__ import annotations

import os
import random
import re
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from .errors import StoreError, TooManyJoins, UnknownParticipant, UnknownWorkshop
from .plan import MAX_FIELD, PlanItem
from .text import MAX_NAME, MAX_TEXT, clean_name, name_too_long, text_too_long
from .quiz import LETTERS, PHASES
from .scoring import Answer, Status

__all__ = ["Store", "Workshop", "Participant", "RoomRows", "WorkshopInfo", "default_store_url", "SCHEMA_VERSION", "PREVIEW_CODE"]

SCHEMA_VERSION = 3  # 1: workshops, participants, answers; 2: + plan_items, quiz_answers; 3: + consensus_answers
_UNSET = object()
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed from a projector
_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
# The preview workshop of `make lab` (JupyterLab): it lives in a store of its own (var/lab/preview.sqlite,
# see gecc_kit.session), no real workshop may take its code, and no list, dashboard or export shows it.
PREVIEW_CODE = "PREVIEW"

metadata = MetaData()
schema_info = Table("schema_info", metadata, Column("version", Integer, nullable=False))
workshops = Table(
    "workshops",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("title", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workshop_id", Integer, ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False, default=""),
    Column("office", Text, nullable=False, default=""),
    Column("table_label", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
answers = Table(
    "answers",
    metadata,
    Column("participant_id", Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("criterion_id", String(64), nullable=False),
    Column("status", String(16), nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("participant_id", "criterion_id"),
)
plan_items = Table(
    "plan_items",
    metadata,
    Column("participant_id", Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("criterion_id", String(64), nullable=False),
    Column("chosen", Boolean, nullable=False, default=True),
    Column("action", Text, nullable=False, default=""),
    Column("owner", Text, nullable=False, default=""),
    Column("due", Date, nullable=True),
    Column("indicator", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("participant_id", "criterion_id"),
)
quiz_answers = Table(
    "quiz_answers",
    metadata,
    Column("participant_id", Integer, ForeignKey("participants.id", ondelete="CASCADE"), nullable=False),
    Column("phase", String(8), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("choice", String(1), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("participant_id", "phase", "question_id"),
)
consensus_answers = Table(  # what a table agreed on, criterion by criterion (the facilitator's consensus view)
    "consensus_answers",
    metadata,
    Column("workshop_id", Integer, ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False),
    Column("table_label", Text, nullable=False),
    Column("criterion_id", String(64), nullable=False),
    Column("status", String(16), nullable=True),
    Column("note", Text, nullable=False, default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("workshop_id", "table_label", "criterion_id"),
)


@dataclass(frozen=True)
class Workshop:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class Participant:
    id: int
    workshop_code: str
    token: str
    display_name: str
    office: str
    table_label: str


@dataclass(frozen=True)
class WorkshopInfo:
    """One workshop as ``gecc-kit workshop list`` shows it."""

    code: str
    title: str
    created_at: datetime
    participants: int
    last_activity: datetime | None


@dataclass
class RoomRows:
    """Everything a workshop holds, read in one go (the dashboard, the consensus view, the export).

    ``answers``, ``plans`` and ``quiz`` are keyed by participant id; ``consensus`` by table label.
    """

    workshop: Workshop
    participants: list[Participant]
    answers: dict[int, dict[str, Answer]]
    plans: dict[int, dict[str, PlanItem]]
    quiz: dict[int, dict[str, dict[str, str]]]
    consensus: dict[str, dict[str, Answer]]
    joined_at: dict[int, datetime]
    active_at: dict[int, datetime]


def _answer_values(status, note) -> dict:
    """The columns an answer update sets: the status, the note, or both (``_UNSET`` ones are kept)."""
    values: dict = {}
    if status is not _UNSET:
        values["status"] = Status(status).value if status is not None else None
    if note is not _UNSET:
        values["note"] = "" if note is None else str(note)
        if text_too_long(values["note"]):
            raise StoreError(f"the note is longer than {MAX_TEXT} characters: not saved.")
    return values


def default_store_url() -> str:
    """``$GECC_STORE_URL``, else the SQLite file ``var/gecc.sqlite`` of the kit's folder."""
    env = os.environ.get("GECC_STORE_URL")
    if env:
        return env
    return sqlite_url(Path(__file__).resolve().parent.parent / "var" / "gecc.sqlite")


def sqlite_url(path: str | os.PathLike) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return "sqlite:///" + str(Path(path).resolve())


def normalize_code(code: str) -> str:
    """A workshop code as stored: upper case, letters, digits and dashes."""
    code = (code or "").strip().upper()
    if not _CODE_RE.match(code):
        raise UnknownWorkshop(f"'{code}' is not a workshop code: use 1 to 32 letters, digits or dashes.")
    return code


def new_code(length: int = 6) -> str:
    """A random workshop code that is easy to read aloud."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; the kit writes them in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _is_locked(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in text or "busy" in text


class Store:
    """Answers of every workshop, in one database.

    Parameters
    ----------
    url
        A SQLAlchemy URL; defaults to :func:`default_store_url`.
    busy_timeout
        Seconds a SQLite writer waits for the lock before the retry loop.
    """

    def __init__(self, url: str | None = None, busy_timeout: float = 30.0):
        url = url or default_store_url()
        try:
            parsed = make_url(url)
        except Exception:
            raise StoreError("the store URL is not a database URL (e.g. sqlite:////path/gecc.sqlite or postgresql+psycopg://...).") from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self._busy_timeout = busy_timeout
        kwargs = {}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                # A relative path would mean another file in every kernel (they run in notebooks/).
                path = Path(parsed.database).resolve()
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():  # names, tokens and notes: the owner's only (its -wal and -shm follow)
                    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
                parsed = parsed.set(database=str(path))
            kwargs["connect_args"] = {"timeout": busy_timeout}
        else:
            # One connection per kernel is plenty; sixty kernels must not exhaust the server.
            kwargs.update(pool_size=1, max_overflow=2, pool_pre_ping=True)
            if parsed.drivername == "postgresql+psycopg":
                # No server-side prepared statements: they break behind PgBouncer in transaction
                # mode, which a large session puts between its kernels and PostgreSQL.
                kwargs["connect_args"] = {"prepare_threshold": None}
        self.url = parsed.render_as_string(hide_password=False)
        # An error message never carries the values (tokens, names, notes) of the statement.
        kwargs["hide_parameters"] = True
        try:
            self.engine = create_engine(parsed, **kwargs)
        except Exception as exc:
            raise StoreError(f"cannot open the store {parsed.render_as_string(hide_password=True)}: {type(exc).__name__}") from None
        if self.is_sqlite:
            self._tune_sqlite()
        self._create_schema()

    # --- connection handling -------------------------------------------------------

    def _tune_sqlite(self) -> None:
        busy_ms = int(self._busy_timeout * 1000)

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event below emit BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={busy_ms}")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable across a crashed process in WAL mode
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn):
            immediate = conn.get_execution_options().get("gecc_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @contextmanager
    def _read(self):
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def _write(self, fn, *, attempts: int = 60):
        """Run ``fn(conn)`` in a write transaction, retrying while the database is locked."""
        delay = 0.01
        for attempt in range(attempts):
            try:
                with self.engine.connect() as conn:
                    conn = conn.execution_options(gecc_write=True)
                    with conn.begin():
                        return fn(conn)
            except OperationalError as exc:
                if not _is_locked(exc) or attempt == attempts - 1:
                    raise StoreError(f"could not write to the store: {exc.orig}") from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.5)

    def _create_schema(self) -> None:
        def create(conn):
            metadata.create_all(conn)
            version = conn.execute(select(schema_info.c.version)).scalar()
            if version is None:
                conn.execute(schema_info.insert().values(version=SCHEMA_VERSION))
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    f"the store was written by a newer gecc-kit (schema {version}, this one knows {SCHEMA_VERSION}); upgrade gecc-kit."
                )
            elif version < SCHEMA_VERSION:
                # Every change so far only added tables, which create_all has just made.
                conn.execute(schema_info.update().values(version=SCHEMA_VERSION))

        try:  # the usual case, in every participant's kernel: the schema is there, a read suffices
            with self._read() as conn:
                if conn.execute(select(schema_info.c.version)).scalar() == SCHEMA_VERSION:
                    return
        except DBAPIError:
            pass  # no tables yet
        try:
            self._write(create)
        except (IntegrityError, DBAPIError) as exc:
            # Another process created the tables between our check and our create.
            if "exist" not in str(exc).lower():
                raise StoreError(f"cannot prepare the store: {exc}") from exc
            self._write(create)

    def schema_version(self) -> int:
        with self._read() as conn:
            return conn.execute(select(schema_info.c.version)).scalar_one()

    def close(self) -> None:
        self.engine.dispose()

    # --- workshops ------------------------------------------------------------------

    def ensure_workshop(self, code: str | None = None, title: str = "", *, preview: bool = False) -> Workshop:
        """The workshop with this code, created if new (a random code when None).

        :data:`PREVIEW_CODE` is reserved for JupyterLab's preview workshop (``preview=True``)."""
        code = normalize_code(code) if code else new_code()
        if (code == PREVIEW_CODE) != preview:
            raise StoreError(f"'{PREVIEW_CODE}' is reserved for JupyterLab's preview (make lab): choose another workshop code."
                             if not preview else f"the preview workshop's code is {PREVIEW_CODE}.")

        def upsert(conn):
            row = conn.execute(select(workshops).where(workshops.c.code == code)).first()
            if row is None:
                conn.execute(workshops.insert().values(code=code, title=title, created_at=_now()))
                row = conn.execute(select(workshops).where(workshops.c.code == code)).first()
            return Workshop(row.id, row.code, row.title)

        try:
            return self._write(upsert)
        except IntegrityError:  # another process created it a moment ago
            return self.workshop(code)

    def latest_workshop(self) -> Workshop | None:
        """The most recently created workshop, or None in an empty store."""
        with self._read() as conn:
            row = conn.execute(select(workshops).where(workshops.c.code != PREVIEW_CODE)
                               .order_by(workshops.c.id.desc()).limit(1)).first()
        return Workshop(row.id, row.code, row.title) if row else None

    def workshop(self, code: str) -> Workshop:
        """The workshop with this code (UnknownWorkshop if there is none)."""
        code = normalize_code(code)
        with self._read() as conn:
            row = conn.execute(select(workshops).where(workshops.c.code == code)).first()
        if row is None:
            raise UnknownWorkshop(f"there is no workshop '{code}' in this store.")
        return Workshop(row.id, row.code, row.title)

    # --- participants ---------------------------------------------------------------

    def join(self, workshop_code: str, display_name: str, office: str = "", table_label: str = "",
             per_minute: int | None = None) -> Participant:
        """Add a participant to a workshop and return it with a new unguessable token.

        Names are kept as :func:`gecc_kit.text.clean_name` makes them; an empty or too long
        one is refused (StoreError). With ``per_minute``, a workshop that already had that many
        joins in the last minute refuses one more (TooManyJoins): a script cannot fill a room.
        """
        display_name, office, table_label = clean_name(display_name), clean_name(office), clean_name(table_label)
        if not display_name:
            raise StoreError("a participant needs a name.")
        if any(name_too_long(v) for v in (display_name, office, table_label)):
            raise StoreError(f"a name, office or table is longer than {MAX_NAME} characters.")
        ws = self.workshop(workshop_code)
        token = secrets.token_urlsafe(16)
        now = _now()

        def insert(conn):
            if per_minute is not None:
                from sqlalchemy import func

                recent = conn.execute(select(func.count()).select_from(participants).where(
                    participants.c.workshop_id == ws.id, participants.c.created_at > now - timedelta(minutes=1))).scalar()
                if recent >= per_minute:
                    raise TooManyJoins(f"workshop {ws.code} already had {recent} joins in the last minute.")
            result = conn.execute(
                participants.insert().values(
                    workshop_id=ws.id,
                    token=token,
                    display_name=display_name,
                    office=office,
                    table_label=table_label,
                    created_at=now,
                    updated_at=now,
                )
            )
            return result.inserted_primary_key[0]

        pid = self._write(insert)
        return Participant(pid, ws.code, token, display_name, office, table_label)

    def participant(self, workshop_code: str, token: str) -> Participant:
        """The participant with this token in this workshop (UnknownParticipant otherwise)."""
        code = normalize_code(workshop_code)
        query = (
            select(participants, workshops.c.code)
            .join(workshops, participants.c.workshop_id == workshops.c.id)
            .where(participants.c.token == (token or ""), workshops.c.code == code)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise UnknownParticipant("no participant with this link in this workshop.")
        return Participant(row.id, row.code, row.token, row.display_name, row.office, row.table_label)

    def participants(self, workshop_code: str) -> list[Participant]:
        """Everyone who joined a workshop, in joining order."""
        ws = self.workshop(workshop_code)
        with self._read() as conn:
            rows = conn.execute(
                select(participants).where(participants.c.workshop_id == ws.id).order_by(participants.c.id)
            ).all()
        return [Participant(r.id, ws.code, r.token, r.display_name, r.office, r.table_label) for r in rows]

    # --- answers --------------------------------------------------------------------

    def save_answer(self, participant_id: int, criterion_id: str, *, status=_UNSET, note=_UNSET) -> None:
        """Save one answer now: the status, the note, or both (the other is kept).

        ``status`` is a :class:`Status`, its value, or None to clear it.
        """
        values = _answer_values(status, note)
        if not values:
            return
        now = _now()
        insert = self._insert(answers).values(
            participant_id=participant_id,
            criterion_id=criterion_id,
            status=values.get("status"),
            note=values.get("note", ""),
            created_at=now,
            updated_at=now,
        )
        stmt = insert.on_conflict_do_update(
            index_elements=[answers.c.participant_id, answers.c.criterion_id],
            set_={**values, "updated_at": now},
        )

        self._write_touching(participant_id, stmt, now)

    def _write_touching(self, participant_id: int, stmt, now: datetime) -> None:
        """Run one upsert and mark the participant active, in one transaction."""

        def run(conn):
            conn.execute(stmt)
            conn.execute(participants.update().where(participants.c.id == participant_id).values(updated_at=now))

        self._write(run)

    def answers(self, participant_id: int) -> dict[str, Answer]:
        """Every saved answer of one participant, keyed by criterion id."""
        with self._read() as conn:
            rows = conn.execute(select(answers).where(answers.c.participant_id == participant_id)).all()
        return {
            r.criterion_id: Answer(r.criterion_id, Status(r.status) if r.status else None, r.note or "") for r in rows
        }

    def save_answers(self, participant_id: int, items) -> None:
        """Save many answers in one transaction (used to load practice data)."""
        now = _now()
        rows = [
            dict(participant_id=participant_id, criterion_id=a.criterion_id, status=a.status.value if a.status else None,
                 note=a.note or "", created_at=now, updated_at=now)
            for a in items
        ]
        if not rows:
            return
        insert = self._insert(answers)
        stmt = insert.on_conflict_do_update(
            index_elements=[answers.c.participant_id, answers.c.criterion_id],
            set_={"status": insert.excluded.status, "note": insert.excluded.note, "updated_at": now},
        )
        self._write(lambda conn: conn.execute(stmt, rows))

    # --- improvement plan -----------------------------------------------------------

    def save_plan_item(self, participant_id: int, criterion_id: str, **fields) -> None:
        """Save one plan item now; ``fields`` are any of chosen, action, owner, due, indicator.

        Fields not given keep their saved value. Text longer than
        :data:`~gecc_kit.plan.MAX_FIELD` characters is refused (StoreError).
        """
        allowed = {"chosen", "action", "owner", "due", "indicator"}
        unknown = set(fields) - allowed
        if unknown:
            raise TypeError(f"unknown plan fields: {', '.join(sorted(unknown))}")
        values = {}
        for key, value in fields.items():
            if key in ("action", "owner", "indicator"):
                value = "" if value is None else str(value)
                if len(value) > MAX_FIELD:
                    raise StoreError(f"the {key} is longer than {MAX_FIELD} characters.")
            elif key == "chosen":
                value = bool(value)
            values[key] = value
        if not values:
            return
        now = _now()
        defaults = {"chosen": True, "action": "", "owner": "", "due": None, "indicator": ""}
        insert = self._insert(plan_items).values(
            participant_id=participant_id, criterion_id=criterion_id, **(defaults | values), created_at=now, updated_at=now
        )
        stmt = insert.on_conflict_do_update(
            index_elements=[plan_items.c.participant_id, plan_items.c.criterion_id], set_={**values, "updated_at": now}
        )

        self._write_touching(participant_id, stmt, now)

    def plan(self, participant_id: int) -> dict[str, PlanItem]:
        """Every plan item of one participant (chosen or not), keyed by criterion id."""
        with self._read() as conn:
            rows = conn.execute(select(plan_items).where(plan_items.c.participant_id == participant_id)).all()
        return {
            r.criterion_id: PlanItem(r.criterion_id, bool(r.chosen), r.action or "", r.owner or "", r.due, r.indicator or "")
            for r in rows
        }

    # --- knowledge check ------------------------------------------------------------

    def save_quiz_choice(self, participant_id: int, phase: str, question_id: str, choice: str | None) -> None:
        """Save (or, with None, clear) one knowledge-check answer now."""
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}, not {phase!r}")
        if choice is None:
            self._write(lambda conn: conn.execute(quiz_answers.delete().where(
                quiz_answers.c.participant_id == participant_id, quiz_answers.c.phase == phase, quiz_answers.c.question_id == question_id)))
            return
        if choice not in LETTERS:
            raise ValueError(f"choice must be one of {LETTERS}, not {choice!r}")
        now = _now()
        insert = self._insert(quiz_answers).values(participant_id=participant_id, phase=phase, question_id=question_id, choice=choice, updated_at=now)
        stmt = insert.on_conflict_do_update(
            index_elements=[quiz_answers.c.participant_id, quiz_answers.c.phase, quiz_answers.c.question_id],
            set_={"choice": choice, "updated_at": now},
        )
        self._write_touching(participant_id, stmt, now)

    def quiz_choices(self, participant_id: int) -> dict[str, dict[str, str]]:
        """One participant's knowledge-check answers: phase -> question id -> letter."""
        with self._read() as conn:
            rows = conn.execute(select(quiz_answers).where(quiz_answers.c.participant_id == participant_id)).all()
        result: dict[str, dict[str, str]] = {p: {} for p in PHASES}
        for r in rows:
            result.setdefault(r.phase, {})[r.question_id] = r.choice
        return result

    # --- table consensus ------------------------------------------------------------

    def save_consensus(self, workshop_code: str, table_label: str, criterion_id: str, *, status=_UNSET, note=_UNSET) -> None:
        """Save what one table agreed on for one criterion (status, note, or both; the other is kept)."""
        table_label = (table_label or "").strip()
        if not table_label:
            raise ValueError("a consensus belongs to a table; the table label is empty")
        ws = self.workshop(workshop_code)
        values = _answer_values(status, note)
        if not values:
            return
        now = _now()
        insert = self._insert(consensus_answers).values(
            workshop_id=ws.id, table_label=table_label, criterion_id=criterion_id,
            status=values.get("status"), note=values.get("note", ""), updated_at=now,
        )
        stmt = insert.on_conflict_do_update(
            index_elements=[consensus_answers.c.workshop_id, consensus_answers.c.table_label, consensus_answers.c.criterion_id],
            set_={**values, "updated_at": now},
        )
        self._write(lambda conn: conn.execute(stmt))

    def consensus(self, workshop_code: str, table_label: str) -> dict[str, Answer]:
        """The answers one table agreed on, keyed by criterion id."""
        ws = self.workshop(workshop_code)
        with self._read() as conn:
            rows = conn.execute(select(consensus_answers).where(
                consensus_answers.c.workshop_id == ws.id, consensus_answers.c.table_label == table_label)).all()
        return {r.criterion_id: Answer(r.criterion_id, Status(r.status) if r.status else None, r.note or "") for r in rows}

    # --- a whole workshop -------------------------------------------------------------

    def room(self, workshop_code: str) -> RoomRows:
        """Everything one workshop holds, in five queries (one read transaction).

        The preview workshop has no room: no dashboard, consensus view or export reads it."""
        if normalize_code(workshop_code) == PREVIEW_CODE:
            raise UnknownWorkshop(f"'{PREVIEW_CODE}' is JupyterLab's preview workshop: it has no dashboard and no export.")
        ws = self.workshop(workshop_code)
        with self._read() as conn:
            people = conn.execute(select(participants).where(participants.c.workshop_id == ws.id).order_by(participants.c.id)).all()
            ids = select(participants.c.id).where(participants.c.workshop_id == ws.id)
            answer_rows = conn.execute(select(answers).where(answers.c.participant_id.in_(ids))).all()
            plan_rows = conn.execute(select(plan_items).where(plan_items.c.participant_id.in_(ids))).all()
            quiz_rows = conn.execute(select(quiz_answers).where(quiz_answers.c.participant_id.in_(ids))).all()
            consensus_rows = conn.execute(select(consensus_answers).where(consensus_answers.c.workshop_id == ws.id)).all()
        room = RoomRows(
            workshop=ws,
            participants=[Participant(r.id, ws.code, r.token, r.display_name, r.office, r.table_label) for r in people],
            answers={r.id: {} for r in people},
            plans={r.id: {} for r in people},
            quiz={r.id: {p: {} for p in PHASES} for r in people},
            consensus={},
            joined_at={r.id: r.created_at for r in people},
            active_at={r.id: r.updated_at for r in people},
        )
        # Rows of someone who joined between the first query and these (PostgreSQL reads each
        # query afresh) are left for the next read: they belong to no participant listed here.
        answer_rows = [r for r in answer_rows if r.participant_id in room.answers]
        plan_rows = [r for r in plan_rows if r.participant_id in room.answers]
        quiz_rows = [r for r in quiz_rows if r.participant_id in room.answers]
        for r in answer_rows:
            room.answers[r.participant_id][r.criterion_id] = Answer(r.criterion_id, Status(r.status) if r.status else None, r.note or "")
        for r in plan_rows:
            room.plans[r.participant_id][r.criterion_id] = PlanItem(
                r.criterion_id, bool(r.chosen), r.action or "", r.owner or "", r.due, r.indicator or "")
        for r in quiz_rows:
            room.quiz[r.participant_id].setdefault(r.phase, {})[r.question_id] = r.choice
        for r in consensus_rows:
            room.consensus.setdefault(r.table_label, {})[r.criterion_id] = Answer(
                r.criterion_id, Status(r.status) if r.status else None, r.note or "")
        return room

    def workshop_list(self) -> list[WorkshopInfo]:
        """Every workshop in the store with its number of participants and last activity, oldest first."""
        from sqlalchemy import func

        query = (
            select(workshops.c.code, workshops.c.title, workshops.c.created_at,
                   func.count(participants.c.id), func.max(participants.c.updated_at))
            .select_from(workshops.outerjoin(participants, participants.c.workshop_id == workshops.c.id))
            .where(workshops.c.code != PREVIEW_CODE)  # JupyterLab's preview is not a workshop to list or purge
            .group_by(workshops.c.id, workshops.c.code, workshops.c.title, workshops.c.created_at)
            .order_by(workshops.c.created_at, workshops.c.id)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [WorkshopInfo(r[0], r[1] or "", r[2], int(r[3]), r[4]) for r in rows]

    def delete_workshop(self, workshop_code: str) -> int:
        """Delete a workshop and everything in it; returns how many participants were deleted."""
        ws = self.workshop(workshop_code)

        def delete(conn):
            ids = select(participants.c.id).where(participants.c.workshop_id == ws.id)
            n = conn.execute(select(participants.c.id).where(participants.c.workshop_id == ws.id)).all()
            for table in (answers, plan_items, quiz_answers):
                conn.execute(table.delete().where(table.c.participant_id.in_(ids)))
            conn.execute(consensus_answers.delete().where(consensus_answers.c.workshop_id == ws.id))
            conn.execute(participants.delete().where(participants.c.workshop_id == ws.id))
            conn.execute(workshops.delete().where(workshops.c.id == ws.id))
            return len(n)

        deleted = self._write(delete)
        self.compact()
        return deleted

    def stale_workshops(self, older_than: timedelta, now: datetime | None = None) -> list[WorkshopInfo]:
        """The workshops with no activity (created, joined, answered) for ``older_than``."""
        cutoff = (now or _now()) - older_than
        return [w for w in self.workshop_list() if _aware(w.last_activity or w.created_at) < cutoff]

    def purge(self, older_than: timedelta, now: datetime | None = None) -> list[WorkshopInfo]:
        """Delete every workshop with no activity for ``older_than`` (retention); returns them."""
        old = self.stale_workshops(older_than, now)
        for w in old:
            self.delete_workshop(w.code)
        return old

    def compact(self) -> None:
        """Leave nothing deleted readable in the files: SQLite's write-ahead log is checkpointed and
        emptied, and the file rebuilt (VACUUM); PostgreSQL's tables are vacuumed. Works while the
        server runs (it waits for other connections' transactions, as a write does)."""
        raw = self.engine.raw_connection()  # outside any transaction: VACUUM cannot run in one
        try:
            driver = raw.driver_connection
            if self.is_sqlite:  # the driver connection is in autocommit mode (see _tune_sqlite)
                def checkpoint():
                    for _ in range(100):
                        if not driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                            return
                        time.sleep(0.1)  # a reader still on an older snapshot: wait for it
                checkpoint()  # the deleted rows' old pages leave the write-ahead log
                driver.execute("VACUUM")  # the file is rebuilt without free pages
                checkpoint()  # and the rebuild's own frames are written back and the log emptied
            else:
                driver.autocommit = True
                try:
                    with driver.cursor() as cur:
                        for table in (answers, plan_items, quiz_answers, consensus_answers, participants, workshops):
                            cur.execute(f"VACUUM {table.name}")
                finally:
                    driver.autocommit = False  # back to the pool as SQLAlchemy expects it
        finally:
            raw.close()

    def _insert(self, table):
        name = self.engine.dialect.name
        if name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            raise StoreError(f"the store supports SQLite and PostgreSQL, not {name}.")
        return insert(table)
