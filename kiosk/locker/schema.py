"""The locker's tables in the kiosk database (component `locker`)."""

from __future__ import annotations

COMPONENT = "locker"

_PARCELS_V2 = """CREATE TABLE locker_parcels (
            id TEXT PRIMARY KEY,
            waybill TEXT NOT NULL,
            company TEXT NOT NULL,
            phone_hash TEXT NOT NULL,
            phone_masked TEXT NOT NULL,
            code_hash TEXT,
            nonce INTEGER NOT NULL DEFAULT 0,
            compartment TEXT REFERENCES locker_compartments (id),
            status TEXT NOT NULL CHECK (status IN ('reserved', 'stored', 'releasing',
                'picked_up', 'retrieving', 'retrieved', 'unconfirmed', 'cancelled', 'refused')),
            courier TEXT,
            storage_hours REAL NOT NULL,
            deposited_at REAL,
            fee_paid INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )"""
"""Version 2: a parcel may be `refused` by its recipient (拒收), kept for its courier."""

MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE locker_compartments (
            id TEXT PRIMARY KEY,
            state TEXT NOT NULL DEFAULT 'free'
                CHECK (state IN ('free', 'reserved', 'occupied', 'out_of_service')),
            door TEXT NOT NULL DEFAULT 'closed' CHECK (door IN ('closed', 'open', 'unknown')),
            reason TEXT,
            updated_at REAL NOT NULL
        )""",
        """CREATE TABLE locker_parcels (
            id TEXT PRIMARY KEY,
            waybill TEXT NOT NULL,
            company TEXT NOT NULL,
            phone_hash TEXT NOT NULL,
            phone_masked TEXT NOT NULL,
            code_hash TEXT,
            nonce INTEGER NOT NULL DEFAULT 0,
            compartment TEXT REFERENCES locker_compartments (id),
            status TEXT NOT NULL CHECK (status IN ('reserved', 'stored', 'releasing',
                'picked_up', 'retrieving', 'retrieved', 'unconfirmed', 'cancelled')),
            courier TEXT,
            storage_hours REAL NOT NULL,
            deposited_at REAL,
            fee_paid INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )""",
        "CREATE INDEX locker_parcels_code ON locker_parcels (code_hash)",
        "CREATE INDEX locker_parcels_phone ON locker_parcels (phone_hash, status)",
        """CREATE TABLE locker_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            parcel TEXT NOT NULL REFERENCES locker_parcels (id),
            at REAL NOT NULL,
            status TEXT NOT NULL,
            compartment TEXT,
            detail TEXT NOT NULL DEFAULT ''
        )""",
        """CREATE TABLE locker_actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('deposit', 'pickup', 'retrieve')),
            parcel TEXT NOT NULL REFERENCES locker_parcels (id),
            compartment TEXT NOT NULL REFERENCES locker_compartments (id),
            phase TEXT NOT NULL CHECK (phase IN ('intent', 'opened', 'recorded', 'failed',
                'interrupted')),
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )""",
        "CREATE INDEX locker_actions_open ON locker_actions (phase)",
        """CREATE TABLE locker_problems (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            compartment TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            found_at REAL NOT NULL,
            resolved_at REAL
        )""",
        """CREATE TABLE locker_attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scope TEXT NOT NULL,
            at REAL NOT NULL,
            ok INTEGER NOT NULL
        )""",
        "CREATE INDEX locker_attempts_scope ON locker_attempts (scope, at)",
        """CREATE TABLE locker_lockouts (
            scope TEXT PRIMARY KEY,
            until REAL NOT NULL,
            count INTEGER NOT NULL
        )""",
    ),
    (
        # SQLite cannot change a CHECK: the table is built again. Its children (history,
        # actions) reference it by name; their checks wait for the commit, by which time every
        # parcel is back under the same id.
        "PRAGMA defer_foreign_keys = ON",
        "CREATE TABLE locker_parcels_v1 AS SELECT * FROM locker_parcels",
        "DROP TABLE locker_parcels",
        _PARCELS_V2,
        "INSERT INTO locker_parcels SELECT * FROM locker_parcels_v1",
        "DROP TABLE locker_parcels_v1",
        "CREATE INDEX locker_parcels_code ON locker_parcels (code_hash)",
        "CREATE INDEX locker_parcels_phone ON locker_parcels (phone_hash, status)",
    ),
]
