"""Write the upload file of one audience for one channel, from the published snapshot.

    segments export "High Rollers" --channel ads [--family purchase_persona]

- ``ads``: one column ``email`` holding the SHA-256 hex of the trimmed, lower-cased address, the
  layout of Meta's and Google's customer-list uploads (which accept pre-hashed emails); no
  clear-text address is written.
- ``email``: ``email,first_name`` for an email tool's list import.

The rows are `audience_members` of that audience and channel (eligibility is decided there), read
from the served snapshot (``published/segments.duckdb``) so an export never waits on a build. The
file goes to ``exports/<as_of>/<family>--<audience>--<channel>.csv``, written to a temporary name and
renamed into place, so a sync job never reads half a file.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
from pathlib import Path

import duckdb

from store_segments.dbt_door import REPO_ROOT

ROOT = REPO_ROOT
COLUMNS = {"ads": ("email",), "email": ("email", "first_name")}


def slug(text: str) -> str:
    """A file-name-safe lower-case slug: `High Rollers` -> `high-rollers`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def audience_family(connection: duckdb.DuckDBPyConnection, audience: str, family: str | None) -> str:
    """The family of `audience`; an error when it is unknown or needs --family to be told apart."""
    families = [row[0] for row in connection.execute(
        "select distinct audience_family from main_activation.audience_members where audience_name = ?"
        " order by 1", [audience]).fetchall()]
    if family is not None:
        if family not in families:
            raise SystemExit(f"no audience {audience!r} in family {family!r} (families: {families or 'none'})")
        return family
    if len(families) != 1:
        raise SystemExit(f"audience {audience!r} is in {families or 'no family'}: name one with --family")
    return families[0]


def rows_of(connection: duckdb.DuckDBPyConnection, audience: str, family: str, channel: str) -> list[tuple[str, ...]]:
    """The upload rows, sorted so the same snapshot always writes the same bytes."""
    if channel == "ads":
        sql = ("select hashed_email from main_activation.audience_members"
               " where audience_name = ? and audience_family = ? and channel = 'ads' order by 1")
    else:
        sql = ("select members.email, contacts.first_name from main_activation.audience_members as members"
               " left join main_activation.customer_contacts as contacts using (customer_id)"
               " where members.audience_name = ? and members.audience_family = ? and members.channel = 'email'"
               " order by 1")
    return [tuple("" if value is None else str(value) for value in row)
            for row in connection.execute(sql, [audience, family]).fetchall()]


def write_atomically(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """CSV (RFC 4180, `\\n` line ends) written next to `path`, then renamed onto it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export(database: Path, out_dir: Path, audience: str, channel: str, family: str | None = None) -> Path:
    """Write the audience's upload file; return its path."""
    with duckdb.connect(str(database), read_only=True) as connection:
        chosen = audience_family(connection, audience, family)
        (as_of,) = connection.execute(
            "select max(as_of) from main_activation.audience_members").fetchone() or (None,)
        rows = rows_of(connection, audience, chosen, channel)
    stamp = as_of.strftime("%Y%m%dT%H%M%S") if as_of is not None else "no-as-of"
    path = out_dir / stamp / f"{slug(chosen)}--{slug(audience)}--{channel}.csv"
    write_atomically(path, COLUMNS[channel], rows)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("audience", help="audience_name, e.g. 'High Rollers'")
    parser.add_argument("--channel", choices=sorted(COLUMNS), required=True)
    parser.add_argument("--family", default=None, help="audience_family, when the name is in several")
    parser.add_argument("--database", type=Path, default=ROOT / "published" / "segments.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "exports")
    args = parser.parse_args(argv)
    path = export(args.database, args.out, args.audience, args.channel, args.family or None)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
