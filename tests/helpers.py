"""Shared test material: fixture bulletins, a site configuration, and real `mkdocs` runs."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from shifted_clock import CLOCKSHIFT

from safety_bulletins.mkdocs_adapter import url_rule


REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"
URLS = url_rule(True)  # MkDocs' rule for where each file goes and its URL, with directory URLs

# The units every fixture's units.yml starts with
THREE_UNITS_YML = """\
- id: safety-env
  name: Safety and Environmental Protection Department
  name_zh: 安全环保部
  aliases: [安全环保部]
- id: property
  name: Property Management Company
  name_zh: 物业公司
  aliases: [物业公司]
- id: energy
  name: Energy Company
  name_zh: 能源公司
  aliases: [能源公司]
"""
# Four units for the tests of roles (lead, support, acceptance, supervision): the office supervises
ROLE_UNITS_YML = THREE_UNITS_YML + """\
- id: office
  name: Group Office
  name_zh: 集团办公室
  aliases: [集团办公室]
"""

UNITS_YML = THREE_UNITS_YML + """\
- id: filling-stations
  name: Filling Stations
  parent: energy
"""

MEETING_MD = """\
---
title: Special meeting on production safety
date: 2021-05-25
type: minutes
issuer: safety-env
number: CIG-Safety〔2021〕7号
presided_by: Ju Baoqing
attendees: [Lian Feipeng, Wang Jianmin]
---
The meeting was held.

/// directive | Full-coverage investigation of hidden dangers
    id: CIG-2021-05-2
    units: [all]
    support: [safety-env]
    owner: Wang Jianmin
    deadline: 2021-06-30
    grade: major

Horizontal to the edge and vertical to the end.
///

/// directive
    units: 物业公司
    deadline: ongoing

Keep the emergency plans current. Review them each quarter.
///
"""


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")
    return root


SITE_YML = f"""\
site_name: Test bulletins
site_url: http://intranet.test/safety/
docs_dir: docs
theme:
  name: material
  font: false
nav:
  - Home: index.md
  - Units: units/index.md
  - Directives: directives/index.md
  - Archive: archive/index.md
hooks:
  - {REPO / "hooks" / "bulletins.py"}
watch:
  - bulletins
plugins:
  - search
markdown_extensions:
  - tables
  - pymdownx.superfences
  - pymdownx.blocks.admonition
  - toc:
      permalink: true
"""


def site_files(site: Path) -> dict[Path, bytes]:
    """Every file of a built site, with Pagefind's index and the workbook readable (decompressed):
    Pagefind's chunks and fragments are gzipped, and their text has U+200B between words (Pagefind's word boundaries), which a
    search for a planted string must look through."""
    from safety_bulletins.outputs import workbook
    from safety_bulletins.outputs.pagefind import readable

    return {path: workbook.readable(path.read_bytes()) if path.suffix == ".xlsx" else readable(path.name, path.read_bytes())
            for path in site.rglob("*") if path.is_file()}


PAGEFIND_YML = SITE_YML + """\
extra:
  bulletins:
    search: pagefind
"""
# Material's lunr index instead (`search: pagefind` is the default): what the offline copy uses
MATERIAL_SEARCH_YML = SITE_YML + """\
extra:
  bulletins:
    search: material
"""


def mkdocs(project: Path, *args: str, as_of: str = AS_OF, tool: str = "mkdocs", prelude: str = "",
           **env: str) -> subprocess.CompletedProcess:
    """Run MkDocs (or its fork ProperDocs) on a project, with a fixed as-of date. A plain `mkdocs` run is
    forked from this worker's MkdocsForks (the same command line in a process of its own, without the
    ~0.5 s of starting Python and importing MkDocs); ProperDocs, and a run whose PYTHONPATH differs from
    the one the forks were started with (another copy of the package, a tool reporting another version),
    get a fresh interpreter. BULLETINS_TESTS_FORK=0: every run a fresh interpreter. `prelude`: Python the run
    executes before MkDocs starts (a module's setting the test wants, such as a listing's page size)."""
    env = {**os.environ, "BULLETINS_TODAY": as_of, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true", **env}
    env.pop("SOURCE_DATE_EPOCH", None)
    if tool == "mkdocs" and os.environ.get("BULLETINS_TESTS_FORK", "1") != "0":
        forks = shared_forks()
        # a run at the same time as another (a test's own threads) gets a process of its own, as before
        if forks.accepts(env) and _forks_lock.acquire(blocking=False):
            try:
                with tempfile.TemporaryDirectory(prefix="mkdocs-run-") as folder:
                    return forks.run(project, *args, folder=Path(folder), timeout=300, env=env, prelude=prelude)
            finally:
                _forks_lock.release()
    start = ["-c", f"{prelude}\nfrom {tool}.__main__ import cli; cli()"] if prelude else ["-m", tool]
    return subprocess.run(
        [sys.executable, *start, *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )


def build(project: Path, as_of: str = AS_OF, site: str = "site", tool: str = "mkdocs") -> Path:
    result = mkdocs(project, "build", "--site-dir", site, as_of=as_of, tool=tool)
    assert result.returncode == 0, result.stderr
    return project / site


def example_project(root: Path, language: str = "en", site_url: str | None = None) -> Path:
    """A copy of this repository's example site (mkdocs.yml, docs/, bulletins/, hooks/) at `root`,
    optionally with the Chinese interface or a site_url (the example has none)."""
    root.mkdir(parents=True)
    for name in ("docs", "docs-zh", "bulletins", "hooks"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.zh.yml", root / "mkdocs.zh.yml")  # the Chinese example: INHERITs mkdocs.yml
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  language: en\n" in config and "\nsite_url:" not in config, "the example's mkdocs.yml changed: adapt this"
    config = config.replace("  language: en\n", f"  language: {language}\n")
    (root / "mkdocs.yml").write_text((f"site_url: {site_url}\n" if site_url else "") + config, encoding="utf-8")
    return root


def build_example(root: Path, language: str = "en", **env: str) -> Path:
    """The example site built (strict: a warning fails it) into `root`/site, as of AS_OF."""
    project = example_project(root, language)
    result = mkdocs(project, "build", "--strict", **env)
    assert result.returncode == 0, result.stderr
    return project / "site"


def build_chinese_example(root: Path, **env: str) -> Path:
    """The example in Chinese (mkdocs.zh.yml: the same bulletins, docs-zh/, the Chinese interface) built
    strict into `root`/site-zh, as of AS_OF."""
    project = example_project(root)
    result = mkdocs(project, "build", "--strict", "--config-file", "mkdocs.zh.yml", **env)
    assert result.returncode == 0, result.stderr
    return project / "site-zh"


class ServeStopped(AssertionError):
    """`mkdocs serve` exited before it answered (a site that does not build, a taken port)."""

    def __init__(self, returncode: int, output: str):
        super().__init__(f"mkdocs serve exited {returncode} before serving:\n{output[-3000:]}")
        self.returncode, self.output = returncode, output


@dataclass
class Served:
    url: str  # the site's root as the preview mounts it (site_url's path), ending in /
    process: subprocess.Popen | ForkedRun
    log: Path  # what the server printed (stdout and stderr), so far

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def mkdocs_serve(project: Path, tmp: Path, *args: str, as_of: str = AS_OF, seconds: float = 120, **env: str):
    """`mkdocs serve ARGS` on a free loopback port, yielding a Served once it answers (its first
    build done); stopped afterwards with everything it started (its process group: Ctrl-C, then
    SIGKILL). The site it builds and its log are in `tmp` (its TMPDIR), never in a shared /tmp.
    Raises ServeStopped if it exits before answering."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    site_url = re.search(r"^site_url:\s*['\"]?([^'\"\s]+)", config, flags=re.MULTILINE)
    mount = "/" + urlsplit(site_url.group(1) if site_url else "/").path.strip("/")
    url = f"http://127.0.0.1:{port}{mount.rstrip('/')}/"
    env = {**os.environ, "BULLETINS_TODAY": as_of, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
           "TMPDIR": str(tmp), **env}
    env.pop("SOURCE_DATE_EPOCH", None)
    log = tmp / f"serve-{port}.log"
    command = ["serve", "--dev-addr", f"127.0.0.1:{port}", *args]
    # forked from this worker's MkdocsForks as helpers.mkdocs forks a build (the same command line in a session
    # of its own, without starting Python, importing MkDocs and compiling its templates): they run nothing
    # else until it stops. BULLETINS_TESTS_FORK=0, another PYTHONPATH or the forks busy: a new interpreter.
    forks = shared_forks() if os.environ.get("BULLETINS_TESTS_FORK", "1") != "0" else None
    forked = forks is not None and forks.accepts(env) and _forks_lock.acquire(blocking=False)
    try:
        if forked:
            log.touch()  # read before the forked run has opened it
            process = forks.start(project, *command, log=log, env=env)
        else:
            with open(log, "wb") as output:
                process = subprocess.Popen([sys.executable, "-m", "mkdocs", *command], cwd=project, env=env,
                                           stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                                           preexec_fn=_interruptible)
    except BaseException:
        if forked:
            _forks_lock.release()
        raise
    served = Served(url, process, log)
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                raise ServeStopped(process.returncode, served.output())
            # Ours, not whoever else took the port between free_port() and this server's bind
            # (another worker's preview): only our server says it serves there, after its build.
            ours = f"Serving on http://127.0.0.1:{port}/" in served.output()
            try:
                urllib.request.urlopen(url, timeout=5).close()
                if ours:
                    break
            except urllib.error.HTTPError:
                if ours:
                    break  # it answers
            except OSError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise AssertionError(f"mkdocs serve did not answer within {seconds} s:\n{served.output()[-3000:]}")
            time.sleep(0.1)
        yield served
    finally:
        try:
            _stop_group(process)
        finally:
            if forked:
                if isinstance(process, ForkedRun):
                    process.abandon()  # only if it could not be stopped and waited for
                _forks_lock.release()


def _interruptible() -> None:
    """In a server's process before it starts Python: SIGINT as in a shell's foreground, so that Python makes it
    KeyboardInterrupt (Ctrl-C: the server cleans up and exits), even where the suite was started with SIGINT
    ignored (a background job of a script), which a new process inherits: else each stop waited 20 s."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop_group(process: subprocess.Popen | ForkedRun) -> None:
    """Stop a process started in a session of its own, and whatever it started there."""
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGKILL, 20)):  # Ctrl-C: mkdocs serve cleans up after itself
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # what it started and left behind


def fetch(url: str, timeout: float = 10) -> bytes:
    """A URL's body; an HTTP error status fails the test, naming the URL."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{url}: HTTP {error.code}") from None


def status(url: str, timeout: float = 10) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# The program of MkdocsForks: imports what every build imports, once, then forks a child per run.
_FORKS_PROGRAM = """
import atexit, json, os, runpy, signal, sys, tempfile, time, traceback
import jinja2, jinja2.bccache, markdown, material, mkdocs.__main__, mkdocs.commands.build, pymdownx  # what every build imports
import material.plugins.search.plugin
import safety_bulletins.commands.cli, safety_bulletins.site_build.sitebuild


# Jinja's own cache of compiled templates, in memory, for every environment of every run: a child inherits
# what this process compiled (Material's templates, the package's), instead of compiling them again each
# run (half of a small build's CPU). Keyed by the template's name and file and by what of its environment
# changes the compiled code (delimiters, extensions, autoescape, filters, tests); a template whose source
# changed is compiled afresh (Jinja compares the source's checksum).
class CompiledTemplates(jinja2.BytecodeCache):
    def __init__(self):
        self.compiled = {}

    def get_bucket(self, environment, name, filename, source):
        e = environment
        autoescape = e.autoescape(name) if callable(e.autoescape) else e.autoescape
        shape = (type(e).__qualname__, e.block_start_string, e.block_end_string, e.variable_start_string,
                 e.variable_end_string, e.comment_start_string, e.comment_end_string, e.line_statement_prefix,
                 e.line_comment_prefix, e.trim_blocks, e.lstrip_blocks, e.newline_sequence, e.keep_trailing_newline,
                 tuple(sorted(e.extensions)), autoescape, e.optimized, e.is_async, e.finalize is not None,
                 tuple(sorted(e.filters)), tuple(sorted(e.tests)))
        bucket = jinja2.bccache.Bucket(e, repr((name, filename, shape)), self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = CompiledTemplates()
_environment_init = jinja2.Environment.__init__


def _with_compiled_templates(self, *args, **kwargs):
    _environment_init(self, *args, **kwargs)
    if self.bytecode_cache is None:
        self.bytecode_cache = _COMPILED


jinja2.Environment.__init__ = _with_compiled_templates


# One build of a small site in this process, before any child: what a build imports on its way (Markdown
# extensions, the theme's plugins) is imported once and its templates compiled once. On the machine's clock,
# with a cache folder of its own, its output in a log (stdout is the protocol's). What it leaves in the
# logging and warnings set-up (MkDocs' filter that drops messages already logged) is put back as it was.
def warm_up(project):
    import logging, shutil, tempfile, warnings
    loggers = [logging.getLogger(), *(l for l in logging.Logger.manager.loggerDict.values() if isinstance(l, logging.Logger))]
    saved_logging = [(l, l.level, list(l.handlers), list(l.filters), l.propagate, l.disabled) for l in loggers]
    saved_warnings, saved_showwarning = list(warnings.filters), warnings.showwarning
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_fds = os.dup(1), os.dup(2)
    work = tempfile.mkdtemp(prefix="mkdocs-forks-warm-up-")
    log = os.open(os.path.join(work, "log"), os.O_WRONLY | os.O_CREAT, 0o600)
    failed = False
    try:
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.environ.update({"BULLETINS_TODAY": "2026-11-28", "XDG_CACHE_HOME": work})
        os.chdir(project)
        mkdocs.__main__.cli.main(["build", "--site-dir", os.path.join(work, "site")], prog_name="mkdocs",
                                 standalone_mode=False)
    except BaseException:
        failed = True
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in zip((1, 2), saved_fds):
            os.dup2(saved, fd)
            os.close(saved)
        os.close(log)
        if failed:  # only slower children: each run imports and compiles what it needs
            with open(os.path.join(work, "log"), encoding="utf-8", errors="replace") as output:
                sys.stderr.write("MkdocsForks: the warm-up build failed\\n" + output.read()[-3000:])
        for l, level, handlers, filters, propagate, disabled in saved_logging:
            l.level, l.handlers[:], l.filters[:], l.propagate, l.disabled = level, handlers, filters, propagate, disabled
        warnings.filters[:] = saved_warnings
        warnings.showwarning = saved_showwarning
        warnings._filters_mutated()
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(project, ignore_errors=True)


if len(sys.argv) > 1:
    warm_up(sys.argv[1])
for line in sys.stdin:
    job = json.loads(line)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            opened = {}  # stdout and stderr may be one file (a server's log), written through one descriptor
            for fd, name in ((1, "stdout"), (2, "stderr")):
                if job[name] not in opened:
                    opened[job[name]] = os.open(job[name], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(opened[job[name]], fd)
            os.chdir(job["cwd"])
            os.environ.clear()
            os.environ.update(job["env"])
            time.tzset()  # the job's TZ, as a new process reads it
            tempfile.tempdir = None  # the job's TMPDIR, as a new process reads it (the warm-up set it)
            if job["sitecustomize"]:  # what a new process would run first: the clock shift of the job's test
                runpy.run_path(job["sitecustomize"])
            if job.get("interruptible"):  # Ctrl-C stops it, even where the suite runs with SIGINT ignored
                signal.signal(signal.SIGINT, signal.default_int_handler)
            if job.get("prelude"):  # what the run sets before MkDocs starts (helpers.mkdocs)
                exec(job["prelude"], {"__name__": "__prelude__"})
            sys.argv = ["mkdocs", *job["args"]]
            mkdocs.__main__.cli.main(job["args"], prog_name="mkdocs")
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 1
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                atexit._run_exitfuncs()  # what the run registered, as an exiting interpreter runs them
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
    print(pid, flush=True)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


class MkdocsForks:
    """`mkdocs ARGS` runs, each a real MkDocs command line in a process of its own (its own folder,
    environment, output, exit code, and a session a time limit stops whole), forked from one process
    that has imported MkDocs, Material and this package: the ~0.5 s each run would spend starting
    Python and importing them is spent once. Module-level code runs once, in that process; MkDocs
    loads the hook and its settings afresh in each run, as a new process does."""

    def __init__(self):
        # on the machine's clock: the process outlives the test that starts it, and each child moves its
        # own clock as its job's test wants (tests/clockshift/sitecustomize.py, run in the child)
        env = {name: value for name, value in os.environ.items() if not name.startswith("BULLETINS_CLOCK_SHIFT_")}
        # nothing may print on its stdout but the protocol: not Material's warning about MkDocs 2 either
        env |= {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
        self.pythonpath = _without_clockshift(env.get("PYTHONPATH"))
        env.pop("PYTHONPATH", None)
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(self.pythonpath)
        # a small site it builds once before any run, then removes (see warm_up in its program)
        self.warm_up = warm_up = write_tree(Path(tempfile.mkdtemp(prefix="mkdocs-forks-")), {
            "mkdocs.yml": SITE_YML, "docs/index.md": "# Home\n", "bulletins/units.yml": UNITS_YML,
            "bulletins/2021/2021-05-25-meeting.md": MEETING_MD})
        self.process = subprocess.Popen([sys.executable, "-c", _FORKS_PROGRAM, str(warm_up)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, start_new_session=True, env=env)
        self._pending = b""

    def accepts(self, env: dict[str, str]) -> bool:
        """Whether a run with this environment imports what a new process would: the same PYTHONPATH,
        but for the clock shift's folder (its sitecustomize runs in the child)."""
        return _without_clockshift(env.get("PYTHONPATH")) == self.pythonpath

    def run(self, project: Path, *args: str, folder: Path, timeout: float, env: dict[str, str],
            prelude: str = "") -> subprocess.CompletedProcess:
        pid = self._fork(project, args, env, str(folder / "stdout"), str(folder / "stderr"), prelude)
        try:
            code = int(self._line(timeout=timeout))
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            self._line(timeout=60)
            raise subprocess.TimeoutExpired(["mkdocs", *args], timeout) from None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)  # whatever the run started and left behind
        read = lambda name: (folder / name).read_text(encoding="utf-8", errors="replace")  # noqa: E731
        return subprocess.CompletedProcess(["mkdocs", *args], code, read("stdout"), read("stderr"))

    def start(self, project: Path, *args: str, log: Path, env: dict[str, str]) -> ForkedRun:
        """`mkdocs ARGS` (a server: `serve`) forked and left running, stdout and stderr both to `log`, as
        run() forks a build. Until it has exited and its ForkedRun waited for it, the forks run nothing else."""
        return ForkedRun(self, self._fork(project, args, env, str(log), str(log), "", interruptible=True))

    def _fork(self, project: Path, args, env: dict[str, str], stdout: str, stderr: str, prelude: str,
              interruptible: bool = False) -> int:
        import json

        assert self.accepts(env), f"a run with another PYTHONPATH needs a new process: {env.get('PYTHONPATH')}"
        Path(stdout).parent.mkdir(parents=True, exist_ok=True)
        shifted = str(CLOCKSHIFT) in (env.get("PYTHONPATH") or "").split(os.pathsep)
        job = {"cwd": str(project), "args": list(args), "env": env,
               "sitecustomize": str(CLOCKSHIFT / "sitecustomize.py") if shifted else None,
               "stdout": stdout, "stderr": stderr, "prelude": prelude, "interruptible": interruptible}
        self.process.stdin.write(json.dumps(job).encode() + b"\n")
        self.process.stdin.flush()
        return int(self._line(timeout=60))

    def _line(self, timeout: float) -> bytes:
        import select

        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = max(0.0, deadline - time.monotonic())  # 0: only what has come already (ForkedRun.poll)
            if not select.select([self.process.stdout], [], [], left)[0]:
                raise TimeoutError
            block = os.read(self.process.stdout.fileno(), 4096)
            if not block:
                raise RuntimeError(f"the forking process exited ({self.process.wait()})")
            self._pending += block
        line, self._pending = self._pending.split(b"\n", 1)
        return line

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.warm_up, ignore_errors=True)  # if it stopped before its warm-up was done


class ForkedRun:
    """A run MkdocsForks.start() left running, seen as a subprocess.Popen is (pid, poll, wait, returncode):
    its process leads a session of its own (its pid is its group's), its exit code comes from the forks."""

    def __init__(self, forks: MkdocsForks, pid: int):
        self.forks, self.pid, self.returncode = forks, pid, None

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(TimeoutError):
                self.returncode = int(self.forks._line(timeout=0))
        return self.returncode

    def wait(self, timeout: float) -> int:
        if self.returncode is None:
            try:
                self.returncode = int(self.forks._line(timeout=timeout))
            except TimeoutError:
                raise subprocess.TimeoutExpired(["mkdocs"], timeout) from None
        return self.returncode

    def abandon(self) -> None:
        """Never waited for (it did not stop): the forks' next line would be its exit code, so they go."""
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.forks.process.pid, signal.SIGKILL)
            self.forks.process.wait()


def _without_clockshift(pythonpath: str | None) -> tuple[str, ...]:
    return tuple(entry for entry in (pythonpath or "").split(os.pathsep) if entry and entry != str(CLOCKSHIFT))


_forks: MkdocsForks | None = None
_forks_lock = threading.Lock()


def shared_forks() -> MkdocsForks:
    """This process's MkdocsForks (one per pytest-xdist worker), started on first use, stopped at exit."""
    global _forks
    if _forks is None or _forks.process.poll() is not None:
        import atexit

        _forks = MkdocsForks()
        atexit.register(_forks.close)
    return _forks


NGINX = "/usr/sbin/nginx"


@contextlib.contextmanager
def nginx(work: Path, locations: dict[str, Path], extra: str = "", served: str | None = None):
    """nginx on a free loopback port serving each URL prefix from a folder (alias); yields the base URL.
    `served`: the server's locations as written there (a configuration to test), in place of those."""
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # pytest's folders are private to their owner
    if served is None:
        served = "\n".join(f"location {prefix} {{ alias {folder}/; {extra} }}" for prefix, folder in locations.items())
    (work / "nginx.conf").write_text(f"""
        daemon off;
        {user}
        worker_processes 1;
        pid {work}/nginx.pid;
        error_log {work}/error.log;
        events {{ worker_connections 256; }}
        http {{
            include /etc/nginx/mime.types;
            access_log off;
            client_body_temp_path {work}/body;
            proxy_temp_path {work}/proxy;
            fastcgi_temp_path {work}/fastcgi;
            uwsgi_temp_path {work}/uwsgi;
            scgi_temp_path {work}/scgi;
            server {{
                listen 127.0.0.1:{port};
                {served}
            }}
        }}
    """)
    process = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + next(iter(locations)), timeout=1)
                break
            except urllib.error.HTTPError:
                break  # nginx answers
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"nginx did not start: {process.stderr.read().decode()}") from None
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def small_disk(folder: Path, size: str, inodes: int):
    """A filesystem of its own at `folder` (tmpfs: `size` bytes such as "8m", `inodes` files), to be filled
    up for real. Needs root (CI runs the tests as root): skipped, saying why, where mounting is refused."""
    import pytest

    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},nr_inodes={inodes},mode=0755",
                              "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up (needs root): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", str(folder)], check=True)


def fill(folder: Path, what: str, leave: int = 0) -> None:
    """Use up the disk holding `folder`: its bytes ("bytes") or its inodes ("inodes", all but `leave`)."""
    folder.mkdir(exist_ok=True)
    if what == "bytes":
        with open(folder / "filler", "wb") as filler:
            for block in (2**20, 2**12, 1):
                try:
                    while True:
                        filler.write(b"\0" * block)
                        filler.flush()
                except OSError:
                    continue
    else:
        n = 0
        while True:
            try:
                (folder / str(n)).touch()
            except OSError:
                break
            n += 1
        for k in range(min(leave, n)):
            (folder / str(k)).unlink()


NEVER_EXITS = """\
#!/bin/sh
# a program that never exits (as Pagefind on a disk out of inodes), with a child (what a stopped program
# must not leave behind), in a process group of its own if GROUP is 1. TOKEN names both in `ps`.
python3 -c 'import os, time; GROUP and os.setpgid(0, 0); time.sleep(600)' TOKEN &
exec python3 -c 'import time; time.sleep(600)' TOKEN
"""


def never_exits(path: Path, token: str, own_group: bool = False) -> Path:
    """An executable at `path` that never exits (see NEVER_EXITS); `token` finds its processes."""
    path.write_text(NEVER_EXITS.replace("TOKEN", token).replace("GROUP", str(int(own_group))))
    path.chmod(0o755)
    return path


def processes_with(token: str) -> list[int]:
    """The live processes whose command line holds `token`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if token.encode() in cmdline.read_bytes() and (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@contextlib.contextmanager
def time_limit(seconds: float):
    """A hang in this process fails the test instead of stopping the suite (SIGALRM: signals reach
    the main thread only, so elsewhere there is no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum, _frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def forked_mkdocs(command: list[str], env: dict[str, str], timeout: float,
                  cwd: Path | None = None) -> subprocess.CompletedProcess | None:
    """`command` (`python -m mkdocs ARGS`, as publish and verify start a build) forked from this worker's
    MkdocsForks, as helpers.mkdocs runs one; None where it cannot be: another command, another PYTHONPATH,
    the forks busy with another run, or BULLETINS_TESTS_FORK=0."""
    if command[:3] != [sys.executable, "-m", "mkdocs"] or os.environ.get("BULLETINS_TESTS_FORK", "1") == "0":
        return None
    forks = shared_forks()
    if not forks.accepts(env) or not _forks_lock.acquire(blocking=False):
        return None
    try:
        with tempfile.TemporaryDirectory(prefix="mkdocs-run-") as folder:
            return forks.run(cwd or Path.cwd(), *command[3:], folder=Path(folder), timeout=timeout, env=env)
    finally:
        _forks_lock.release()


def builds_forked(monkeypatch) -> None:
    """publish's build and verify's rebuild forked from the warm MkdocsForks (0.7 s of CPU for a small
    site) instead of each in a new interpreter that imports MkDocs and compiles its templates afresh
    (2-4 s): for the tests that are not about the build's process (its session, its time limit, the
    signals it sends), which keep the real one. Everything else of publish and verify runs as it is:
    the same command line, environment, folders, exit code and output, read as the real ones are."""
    from safety_bulletins.commands import publish, verify

    real_run = publish._run_build

    def run_build(command, env, timeout, folder):
        result = forked_mkdocs(command, env, timeout)
        return result if result is not None else real_run(command, env, timeout, folder)

    real_rebuild = verify._rebuild

    @contextlib.contextmanager
    def rebuild(project_dir, dest, as_of, offline, log, timeout, config_file=None):
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true",
               "BULLETINS_TODAY": as_of.isoformat(), "BULLETINS_OFFLINE": "true" if offline else "false"}
        env.pop("SOURCE_DATE_EPOCH", None)
        command = [sys.executable, "-m", "mkdocs", "build", "--config-file",
                   str(config_file or project_dir / "mkdocs.yml"), "--site-dir", str(dest)]
        if not forks_free(env):
            with real_rebuild(project_dir, dest, as_of, offline, log, timeout, config_file) as finished:
                yield finished
            return
        done: list = []  # while it builds, verify reads the site, as beside the real rebuild
        builder = threading.Thread(target=lambda: done.append(forked_mkdocs(command, env, timeout, project_dir)))
        builder.start()

        def finished():
            builder.join()
            result = done[0] if done else None
            if result is None:
                return f"{project_dir}: the forked rebuild did not run"
            if result.returncode == 0:
                return None
            lines = (result.stdout + result.stderr).strip().splitlines()[-20:]
            return f"{project_dir}: a build of the sources as of {as_of.isoformat()} failed (exit code " \
                   f"{result.returncode}), so the site could not be compared with it:\n" + "\n".join(lines)

        try:
            yield finished
        finally:
            builder.join()

    monkeypatch.setattr(publish, "_run_build", run_build)
    monkeypatch.setattr(verify, "_rebuild", rebuild)


def forks_free(env: dict[str, str]) -> bool:
    """Whether a run with this environment can be forked now (see forked_mkdocs)."""
    return (os.environ.get("BULLETINS_TESTS_FORK", "1") != "0" and shared_forks().accepts(env)
            and not _forks_lock.locked())


def one_process_config(project: Path, config: str = "mkdocs.yml") -> str:
    """A configuration file beside `config` that is `config` with `workers: 0` (the one-process build:
    verdicts rendered in the build's process, every page rendered by MkDocs, the outputs made in the
    build's own process): the build every parallel one is compared with, byte for byte."""
    name = f"one-process-{config}"
    (project / name).write_text(f"INHERIT: {config}\nextra:\n  bulletins:\n    workers: 0\n", encoding="utf-8")
    return name
