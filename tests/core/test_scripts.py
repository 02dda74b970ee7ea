"""`./scripts/serve --port N` and `./scripts/test` from a fresh clone, as a newcomer runs them.

The clone gets a `.venv` of its own that borrows the suite's installed packages (a `.pth`
file) with the clone's `src` first on the path, stamped as installed: the scripts then take
their real path (`_venv.sh` sees an installed, up-to-date `.venv` and installs nothing, so
no network and no minutes of pip), yet a script that asks for an install it should not
(the extra `[--port]` that `scripts/serve --port N` once asked for) finds no pip and fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from tests.core.processes import SUITE_ONLY, free_port, running

REPO = Path(__file__).resolve().parents[2]


def checkout_of_working_tree(dest: Path) -> Path:
    """`git clone` of this repository, then the working tree's own versions of its tracked
    and new (not ignored) files: what a clone of the next commit holds, and nothing else (no
    `.venv`, no `data/`, no install stamps)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout")
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(dest)], check=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def borrowed_venv(checkout: Path) -> None:
    """A `.venv` in ``checkout`` marked as installed for the default and the `test` extras,
    whose packages are links to the suite's: every one but pip (a script that wrongly
    installs must fail here, not reach the network or the suite's environment) and Harken
    (the checkout's `src` is on the path instead)."""
    venv = checkout / ".venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = venv / "lib" / version / "site-packages"
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        name = entry.name.lower()
        if not name.startswith(("pip", "harken", "__editable__")) and not (site / name).exists():
            (site / entry.name).symlink_to(entry)
    (site / "harken-checkout.pth").write_text(f"{checkout / 'src'}\n")
    for name, call in {
        "harken": "from harken.cli import main",
        "pytest": "from pytest import console_main as main",
    }.items():
        script = venv / "bin" / name
        script.write_text(f"#!{venv / 'bin' / 'python'}\nimport sys\n{call}\nsys.exit(main())\n")
        script.chmod(0o755)
    past = time.time() - 60
    os.utime(checkout / "pyproject.toml", (past, past))
    for stamp in (".harken-installed", ".harken-installed-test"):
        (venv / stamp).touch()


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    checkout = checkout_of_working_tree(tmp_path / "harken")
    borrowed_venv(checkout)
    return checkout


def newcomer_env(**extra: str) -> dict[str, str]:
    """No settings at all: the data folder is the default, `./data` in the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in {*SUITE_ONLY, "HARKEN_DATA_DIR"}}
    return {**env, **extra}


@pytest.mark.slow
def test_scripts_serve_with_a_port_serves_from_a_fresh_clone(clone: Path, tmp_path: Path):
    port = free_port()
    argv = [str(clone / "scripts" / "serve"), "--port", str(port)]
    with running(argv, newcomer_env(), tmp_path / "serve.log", cwd=tmp_path) as serve:
        health = serve.wait_for(f"http://127.0.0.1:{port}/health")
        assert b'"database": {"ok": true' in health, health
        assert serve.interrupt() < 10
    output = serve.output()
    assert serve.process.returncode == 0, output
    assert f"Harken is running at http://127.0.0.1:{port}/" in output
    assert (clone / "data" / "harken.sqlite3").exists()  # the default data folder, ./data
    assert sorted(p.name for p in (clone / ".venv").glob(".harken-installed*")) == [
        ".harken-installed",
        ".harken-installed-test",
    ]  # nothing asked for an extra named after an option


@pytest.mark.slow
def test_scripts_test_runs_the_given_tests_from_a_fresh_clone(clone: Path, tmp_path: Path):
    env = newcomer_env(HARKEN_TEST_WORKERS="0", HARKEN_DATA_DIR=str(tmp_path / "data"))
    result = subprocess.run(
        [
            str(clone / "scripts" / "test"),
            "-q",
            "tests/core/test_supervise.py::test_exits_are_described_in_words",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
