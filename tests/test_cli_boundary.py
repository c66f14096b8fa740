"""The CLI's error boundary: faults of the machine, of files and of plug-ins each give one
documented line and exit code, never a traceback (issue 18)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from teknikcollege.cli import EXIT_INTERNAL

SCRIPT = Path(sys.executable).parent / "teknikcollege"
OFFICE = "p-office:national_office"


def run(
    *args: str | bytes,
    cwd: Path,
    env: dict[str, str] | None = None,
    prefix: tuple[str, ...] = (),
    preexec: object = None,
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TEKNIKCOLLEGE_")}
    if prefix or preexec:
        # Coverage measuring a child without file rights or with a file-size limit would
        # fail writing its own data file: run such children unmeasured.
        environ = {k: v for k, v in environ.items() if not k.startswith("COVERAGE_")}
    environ.update(env or {})
    return subprocess.run(
        [*prefix, str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, env=environ,
        timeout=120, check=False, preexec_fn=preexec,  # type: ignore[arg-type]
    )


def one_clean_line(done: subprocess.CompletedProcess[str]) -> str:
    """The only line of stderr, checked to be no traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("boundary")
    done = run("--db", "demo.db", "demo", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder / "demo.db"


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo's database."""
    copy = tmp_path / "tc.db"
    shutil.copy(demo_db, copy)
    return copy


def certified_case(db: Path) -> str:
    listing = json.loads(run("--db", str(db), "list", "cases", "--json", cwd=db.parent).stdout)
    return next(c["id"] for c in listing if c["state"] == "certified")


# -- damaged files and a full disk -------------------------------------------------------


@pytest.mark.parametrize("pages", [(0,), (3, 4, 5, 6, 7, 8)], ids=["header", "data-pages"])
def test_a_corrupted_database_is_one_line_and_code_5(db: Path, pages: tuple[int, ...]) -> None:
    with db.open("r+b") as file:
        for page in pages:
            file.seek(page * 4096)
            file.write(os.urandom(4096))
    done = run("--db", str(db), "list", "cases", cwd=db.parent)
    assert done.returncode == 5
    line = one_clean_line(done)
    assert line.startswith("error: ") and ("damaged" in line or "cannot be opened" in line)


def _limit_file_size() -> None:
    # SQLite's shared-memory file (32 KiB) fits, the write-ahead log of a big note does
    # not: the write fails with EFBIG as it would on a full disk (Python ignores SIGXFSZ).
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_a_full_disk_during_fire_is_one_line_and_nothing_is_saved(db: Path) -> None:
    case = certified_case(db)
    done = run("--db", str(db), "fire", case, "decertify", "--actor", OFFICE,
               "--note", "x" * 9_000, cwd=db.parent, preexec=_limit_file_size)
    assert done.returncode == 5
    assert "Nothing was saved" in one_clean_line(done)
    shown = run("--db", str(db), "show", case, "--json", cwd=db.parent)
    assert json.loads(shown.stdout)["state"] == "certified"


# -- files the user may not touch (CI runs as root: drop the privileges) ------------------


def _unprivileged_prefix() -> tuple[str, ...]:
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): cannot drop privileges")
    # Probe with the command itself: the interpreter may be reachable where the
    # environment's scripts are not (a tox folder private to root).
    probe = [str(SCRIPT), "--help"]
    nobody = (setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups")
    if subprocess.run([*nobody, *probe], capture_output=True, check=False).returncode == 0:
        return nobody
    # The interpreter lives where 'nobody' cannot go (for example under /root): stay
    # root but without the capabilities that bypass file permissions.
    nocaps = (setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner")
    if subprocess.run([*nocaps, *probe], capture_output=True, check=False).returncode == 0:
        return nocaps
    pytest.skip("setpriv cannot drop privileges here (no user 'nobody', no capabilities)")


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder any user may enter (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="tc-cli-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_database_the_user_cannot_read_is_code_4(demo_db: Path, open_folder: Path) -> None:
    prefix = _unprivileged_prefix()
    db = open_folder / "private.db"
    shutil.copy(demo_db, db)
    db.chmod(0o000)
    done = run("--db", str(db), "list", "cases", cwd=open_folder, prefix=prefix)
    assert done.returncode == 4
    assert one_clean_line(done) == f"error: permission denied: you may not read {db}"
    done = run("--db", str(db), "--json", "list", "cases", cwd=open_folder, prefix=prefix)
    assert json.loads(done.stderr)["code"] == 4


def test_init_in_a_folder_the_user_cannot_write_is_code_4(open_folder: Path) -> None:
    prefix = _unprivileged_prefix()
    locked = open_folder / "locked"
    locked.mkdir(mode=0o555)
    locked.chmod(0o555)
    done = run("--lang", "sv", "--db", str(locked / "tc.db"), "init", cwd=open_folder,
               prefix=prefix)
    assert done.returncode == 4
    assert one_clean_line(done) == f"fel: åtkomst nekad: du får inte skapa filer i {locked}"
    assert not (locked / "tc.db").exists()


# -- plug-ins ----------------------------------------------------------------------------

PLUGIN = '''
import click
from teknikcollege import hookimpl

class Boom:
    @hookimpl
    def teknikcollege_register_commands(self, cli):
        raise RuntimeError("boom while adding commands")

class Crash:
    @hookimpl
    def teknikcollege_register_commands(self, cli):
        @cli.command()
        def crash():
            """A command with a bug."""
            raise ValueError("an unexpected bug")

boom, crash = Boom(), Crash()
'''


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An installed distribution with three plug-ins: one raises while adding commands,
    one adds a command with a bug, one cannot be imported."""
    site = tmp_path_factory.mktemp("site")
    (site / "tc_fakeplug.py").write_text(PLUGIN)
    (site / "tc_brokenplug.py").write_text("raise ImportError('needs a module nobody has')\n")
    info = site / "tc_fakeplug-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tc-fakeplug\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[teknikcollege]\nboom = tc_fakeplug:boom\ncrash = tc_fakeplug:crash\n"
        "broken = tc_brokenplug:plugin\n"
    )
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path}


def test_help_survives_a_plugin_that_raises_and_each_warning_is_one_clean_line(
    plugin_env: dict[str, str], tmp_path: Path
) -> None:
    done = run("--help", cwd=tmp_path, env=plugin_env)
    assert done.returncode == 0 and "Examples:" in done.stdout
    assert "crash" in done.stdout  # the other plug-in's command is still there
    assert sorted(done.stderr.splitlines()) == [
        "warning: plug-in 'boom' from tc-fakeplug failed to add its commands: "
        "RuntimeError('boom while adding commands')",
        "warning: plug-in 'broken' from tc-fakeplug failed to load: "
        "ImportError('needs a module nobody has')",
    ]
    sv = run("--lang", "sv", "--db", "x.db", "init", cwd=tmp_path, env=plugin_env)
    assert sv.returncode == 0
    assert "varning: insticksprogrammet 'broken' från tc-fakeplug kunde inte laddas: " \
        "ImportError('needs a module nobody has')" in sv.stderr.splitlines()
    assert "PluginWarning" not in sv.stderr and len(sv.stderr.splitlines()) == 2


def test_an_unexpected_exception_is_an_internal_error(
    plugin_env: dict[str, str], tmp_path: Path
) -> None:
    done = run("crash", cwd=tmp_path, env=plugin_env)
    assert done.returncode == EXIT_INTERNAL == 70
    line = done.stderr.strip().splitlines()[-1]
    assert line == ("error: internal error (ValueError: an unexpected bug); run again with "
                    "--debug to see where, and report it")
    assert "Traceback" not in done.stderr
    as_json = run("crash", "--json", cwd=tmp_path, env=plugin_env)
    assert json.loads(as_json.stderr.splitlines()[-1])["error"] == "InternalError"
    debug = run("crash", "--debug", cwd=tmp_path, env=plugin_env)
    assert debug.returncode == 70 and "Traceback" in debug.stderr
    assert 'raise ValueError("an unexpected bug")' in debug.stderr


# -- input -------------------------------------------------------------------------------


def test_a_note_in_latin_1_is_refused_as_one_line(db: Path) -> None:
    case = certified_case(db)
    done = run("--db", str(db), "fire", case, "decertify", "--actor", OFFICE,
               "--note", "café".encode("latin-1"), cwd=db.parent)
    assert done.returncode == 2
    assert one_clean_line(done) == (
        "error: argument 9 (caf\\xe9) is not valid UTF-8 text; write it in UTF-8")
    shown = run("--db", str(db), "show", case, "--json", cwd=db.parent)
    assert json.loads(shown.stdout)["state"] == "certified"


def test_an_import_error_found_late_is_the_only_line_on_stderr(db: Path) -> None:
    document = json.loads(run("--db", str(db), "export", cwd=db.parent).stdout)
    document["cases"][1]["workflow"] = "no-such-workflow"
    (db.parent / "late.json").write_text(json.dumps(document))
    fresh = db.parent / "fresh.db"
    done = run("--db", str(fresh), "import", "late.json", "--actor", "admin", cwd=db.parent)
    assert done.returncode != 0
    line = one_clean_line(done)
    assert line.startswith("error: ") and "no-such-workflow" in line
    assert "Importing" not in done.stderr


def test_an_import_error_on_a_terminal_clears_the_progress_bar(db: Path) -> None:
    pty = pytest.importorskip("pty")
    document = json.loads(run("--db", str(db), "export", cwd=db.parent).stdout)
    document["cases"][-1]["workflow"] = "no-such-workflow"
    (db.parent / "late.json").write_text(json.dumps(document))
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [str(SCRIPT), "--db", str(db.parent / "tty.db"), "import", "late.json",
             "--actor", "admin"],
            cwd=db.parent, stdout=subprocess.PIPE, stderr=follower, timeout=120, check=False,
        )
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
    assert done.returncode != 0
    text = output.decode()
    # Whatever the bar drew, the error starts its own line on the terminal.
    last = text.replace("\r\n", "\n").split("\n")
    errors = [line for line in last if "error:" in line]
    assert len(errors) == 1
    shown = errors[0].rsplit("\r", 1)[-1].replace("\x1b[2K", "")
    assert shown.startswith("error: ")


# -- secrets -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "postgres://app:hunter2@127.0.0.1:1/tc",
    "sqlite://user:hunter2@host/x.db",
    "sqlite://user:hunter2@[broken/x.db",
    "mysql://app:hunter2@host/db",
])
@pytest.mark.parametrize("where", ["option", "environment"])
@pytest.mark.parametrize("debug", [False, True])
def test_a_password_in_a_storage_url_is_never_printed(
    tmp_path: Path, url: str, where: str, debug: bool
) -> None:
    args = ("--debug",) if debug else ()
    if where == "option":
        done = run(*args, "--db", url, "list", "cases", cwd=tmp_path)
    else:
        done = run(*args, "list", "cases", cwd=tmp_path, env={"TEKNIKCOLLEGE_STORAGE": url})
    assert done.returncode != 0
    assert "hunter2" not in done.stdout + done.stderr
    # The PostgreSQL driver's message names host and port only; every other names the URL.
    assert "***" in done.stderr or url.startswith("postgres:")
    if not debug:
        one_clean_line(done)


# -- demo --fresh ------------------------------------------------------------------------


def test_demo_fresh_deletes_only_a_teknikcollege_database(tmp_path: Path, db: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE mine (x)")
    conn.close()
    empty = tmp_path / "empty.db"
    empty.touch()
    for victim in (notes, other, empty, tmp_path):
        before = victim.read_bytes() if victim.is_file() else None
        done = run("--db", str(victim), "demo", "--fresh", cwd=tmp_path)
        assert done.returncode == 5
        assert one_clean_line(done) == (
            f"error: {victim} is not a teknikcollege database; it is not deleted. "
            "Choose another file with --db")
        assert victim.exists() and (before is None or victim.read_bytes() == before)
    done = run("--db", str(db), "demo", "--fresh", cwd=tmp_path)
    assert done.returncode == 0 and "Done:" in done.stdout
    done = run("--db", str(tmp_path / "new.db"), "demo", "--fresh", cwd=tmp_path)
    assert done.returncode == 0 and "Done:" in done.stdout
