"""Build the extension's .vsix, run it in code-server's real extension host, collect what it saw.

code-server is VS Code's own server build; its extension host starts only when a workbench
connects, so headless Chromium opens the workbench.  The harness extension (``vscode_harness/``)
activates on the workspace's ``.coro-ls-harness.json``, does what a user would, and writes a
JSON result file that the test reads.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from editor_harness import REPO, missing

EXTENSION_DIR = REPO / "editors" / "vscode"
HARNESS_DIR = Path(__file__).resolve().parent / "vscode_harness"
# Stands in for the Python extension (ms-python.python), which cannot be installed offline.
PYTHON_STUB_DIR = Path(__file__).resolve().parent / "vscode_python_stub"
CODE_SERVER_HINT = "sudo bash .ci/setup-vscode.sh (code-server 4.100.3 from npm, Debian chromium)"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SESSION_TIMEOUT = 150


def code_server() -> str:
    found = shutil.which("code-server")
    if found is None:
        missing("code-server", CODE_SERVER_HINT)
    return found


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found is not None:
            return found
    missing("chromium", CODE_SERVER_HINT)


def npm() -> str:
    found = shutil.which("npm")
    if found is None:
        missing("npm (Node 20)", "apt-get install nodejs npm, or install Node 20")
    return found


def _run(command: list[str], cwd: Path, timeout: float = 300) -> str:
    env = {
        **os.environ,
        # `npm run bundle` runs `python3 scripts/bundle.py`: this interpreter, which has pip.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
    }
    completed = subprocess.run(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({completed.returncode}):\n{output}")
    return output


def build_vsix(out_dir: Path) -> Path:
    """``npm ci`` (when the lockfile changed), type-check, bundle and ``vsce package``: the
    ``vscode:prepublish`` script also installs coro-ls and its dependencies into bundled/libs
    (left as they are when their inputs have not changed)."""
    npm_bin = npm()
    installed = EXTENSION_DIR / "node_modules" / ".package-lock.json"
    lock = EXTENSION_DIR / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        _run([npm_bin, "ci", "--prefer-offline", "--no-audit"], EXTENSION_DIR)
    _run([npm_bin, "run", "typecheck"], EXTENSION_DIR)
    vsix = out_dir / "coro-ls.vsix"
    # vsce runs the `vscode:prepublish` script (the esbuild bundle) before packing.
    vsce = [npm_bin, "exec", "--no", "--", "vsce"]
    _run([*vsce, "package", "--no-dependencies", "--out", str(vsix)], EXTENSION_DIR)
    return vsix


def pack_folder(folder: Path, target: Path) -> Path:
    """A .vsix of an extension folder: a zip with the extension under ``extension/``."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"extension/{path.name}")
    return target


def code_server_version(binary: str) -> str:
    return _run([binary, "--version"], REPO, timeout=60).splitlines()[0].strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"code-server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"code-server did not answer {url} within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a process started in its own session, with its children (renderers, ext host)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@dataclass
class VSCodeRun:
    result: dict[str, Any]
    log: str
    work: Path

    def output_channel(self, name: str) -> str:
        """What the coro-ls extension wrote to its output channel ``name`` (a log channel)."""
        logs = sorted(
            (self.work / "user-data" / "logs").glob(f"*/exthost*/coro-ls.coro-ls/{name}.log")
        )
        return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in logs)

    def context(self) -> str:
        return f"result: {json.dumps(self.result, indent=1, ensure_ascii=False)}\nlog:\n{self.log}"


def collect_logs(root: Path, limit: int = 60_000) -> str:
    """code-server's output, the extension host's logs and the coro-ls output channel."""
    parts = []
    for path in sorted(root.rglob("*.log")) + sorted(root.glob("*.out")):
        if "chromium-profile" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        # Chromium in a container has no D-Bus; it says so many times.
        text = "\n".join(line for line in lines if "dbus" not in line).strip()
        if text:
            parts.append(f"--- {path.relative_to(root)}\n{text}")
    joined = "\n".join(parts)
    return joined[-limit:]


def run_session(
    work: Path,
    vsix: Path,
    workspace: Path,
    plan: dict[str, Any],
    settings: dict[str, Any],
    machine_settings: dict[str, Any],
    path_first: Path,
    helpers: tuple[Path, ...] = (HARNESS_DIR,),
) -> VSCodeRun:
    """Install the .vsix and ``helpers`` (extension folders: the harness, maybe a stand-in for
    the Python extension), open ``workspace`` in the workbench, read the result."""
    binary, browser = code_server(), chromium()
    extensions = work / "extensions"
    user_data = work / "user-data"
    # code-server keeps machine-scoped settings ("Remote [Machine]") apart from the user's:
    # that is where the extension's `ConfigurationTarget.Global` updates of coroLs.path and
    # coroLs.interpreter (scope machine-overridable) go, so their first values start there too.
    for scope, values in (("User", settings), ("Machine", machine_settings)):
        (user_data / scope).mkdir(parents=True)
        (user_data / scope / "settings.json").write_text(json.dumps(values, indent=1))
    env = {
        **os.environ,
        # The extension host inherits it: where the extension looks for Python last.
        "PATH": f"{path_first}{os.pathsep}{os.environ.get('PATH', '')}",
        # Otherwise VS Code's server replaces the environment with a login shell's (whose PATH
        # knows nothing of this test), which also takes a shell start-up.
        "VSCODE_CLI": "1",
        "XDG_CONFIG_HOME": str(work / "xdg-config"),
        "XDG_DATA_HOME": str(work / "xdg-data"),
        "XDG_CACHE_HOME": str(work / "xdg-cache"),
    }
    common = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    # Installed as a user installs it: the packaged .vsix through VS Code's own installer.  An
    # extension folder merely copied into the directory is dropped as "removed" once an
    # extensions.json exists, so the harness goes in as a .vsix as well.
    packed = [pack_folder(folder, work / f"{folder.name}.vsix") for folder in helpers]
    for package in (vsix, *packed):
        _run([binary, *common, "--install-extension", str(package)], work, timeout=120)

    result_file = work / "result.json"
    (workspace / ".coro-ls-harness.json").write_text(
        json.dumps({**plan, "result": str(result_file)}, indent=1)
    )
    port = free_port()
    (work / "config.yaml").write_text(f"bind-addr: 127.0.0.1:{port}\nauth: none\ncert: false\n")
    with ExitStack() as stack:
        server_out = stack.enter_context((work / "code-server.out").open("wb"))
        server = subprocess.Popen(
            [
                binary,
                *common,
                "--config",
                str(work / "config.yaml"),
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                str(workspace),
            ],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=server_out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack.callback(stop, server)
        url = f"http://127.0.0.1:{port}/"
        wait_http(url + "healthz", server, timeout=60)
        browser_out = stack.enter_context((work / "chromium.out").open("wb"))
        browser_process = subprocess.Popen(
            [
                browser,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={work / 'chromium-profile'}",
                f"{url}?folder={workspace}",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=browser_out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        stack.callback(stop, browser_process)
        deadline = time.monotonic() + SESSION_TIMEOUT
        while not result_file.exists() and time.monotonic() < deadline:
            for process, name in ((server, "code-server"), (browser_process, "chromium")):
                if process.poll() is not None:
                    raise AssertionError(
                        f"{name} exited with {process.returncode}:\n{collect_logs(work)}"
                    )
            time.sleep(0.25)
    log = collect_logs(work)
    if not result_file.exists():
        raise AssertionError(f"no result from VS Code within {SESSION_TIMEOUT} s:\n{log}")
    return VSCodeRun(json.loads(result_file.read_text(encoding="utf-8")), log, work)
