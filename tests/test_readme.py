"""Every code snippet of README.md works as shown.

The tests are driven by the fenced blocks found in README.md, not by their wording:

- ```yaml: loads as a scenario against the real catalog;
- ```python: compiles; a snippet defining a pytest test runs (in a fresh pytest process with
  the plugin), with `examples/sms_sender` importable and a stand-in for a helper it calls
  without defining (the README's `send_sms`);
- ```sh: each line runs, in order, against a real server: `curl` becomes the same request
  through `requests`, `mockserver ...` goes through `mockserver.cli.main`, `make` targets must
  exist, `docker` mounts must point at valid scenario folders. The status (and headers) a curl
  gets must be what the README implies: the catalogued status of an `X-Mock-Error` code, and
  whatever its comment states ("429", "Retry-After: 2", "X-Rate-Limit-* headers", "passes").

A failure names the snippet (README.md line) and the line in it that broke.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib.metadata
import itertools
import os
import re
import shlex
import shutil
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest
import requests

from mockserver.catalog import Catalog
from mockserver.cli import main
from mockserver.scenarios import ScenarioError, load_text
from mockserver.server import run as server_module
from mockserver.settings import Settings
from mockserver.testing import ServerThread

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Snippet:
    lang: str
    text: str
    line: int  # of the opening fence

    @property
    def id(self) -> str:
        return f"{self.lang}@README.md:{self.line}"

    @property
    def name(self) -> str:
        """The file name a block declares in a first-line comment (`# second-sms.yaml`)."""
        first = self.text.lstrip().splitlines()[0] if self.text.strip() else ""
        found = re.fullmatch(r"#\s*([\w.-]+\.(?:ya?ml|json|py))\s*", first)
        return found.group(1) if found else ""

    def where(self, detail: str = "") -> str:
        head = self.text.strip().splitlines()[0] if self.text.strip() else ""
        return f"README.md:{self.line} ```{self.lang} block ({head!r}){': ' + detail if detail else ''}"


def _snippets(lang: str | None = None) -> list[Snippet]:
    text = README.read_text(encoding="utf-8")
    found = [
        Snippet(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1)
        for m in FENCE.finditer(text)
    ]
    return [s for s in found if lang is None or s.lang == lang]


def _params(lang: str, keep: Any = None) -> list[Any]:
    return [pytest.param(s, id=s.id) for s in _snippets(lang) if keep is None or keep(s)]


def _defines_tests(snippet: Snippet) -> bool:
    return "def test_" in snippet.text


def test_readme_has_the_snippets_these_tests_check() -> None:
    langs = [s.lang for s in _snippets()]
    assert "yaml" in langs
    assert "python" in langs
    assert any("curl " in s.text for s in _snippets("sh"))
    assert any("mockserver " in s.text for s in _snippets("sh"))


# --- yaml --------------------------------------------------------------------------------


@pytest.mark.parametrize("snippet", _params("yaml"))
def test_yaml_snippet_is_a_valid_scenario(snippet: Snippet, catalog: Catalog) -> None:
    try:
        scenarios = load_text(snippet.text, source=f"README.md:{snippet.line}", catalog=catalog)
    except ScenarioError as err:
        pytest.fail(snippet.where(f"not a valid scenario:\n{err}"))
    assert scenarios, snippet.where("holds no scenario")


# --- python ------------------------------------------------------------------------------


@pytest.mark.parametrize("snippet", _params("python"))
def test_python_snippet_compiles(snippet: Snippet) -> None:
    try:
        compile(snippet.text, f"README.md:{snippet.line}", "exec")
    except SyntaxError as err:
        pytest.fail(snippet.where(f"does not compile: {err}"))


# Helpers a README test may call without defining them, as the reader's own code would be.
# A snippet that imports them instead (e.g. `from sms_sender import send_sms`) runs as is.
STAND_INS = {
    "send_sms": '''
from sms_sender import send_sms as _send_sms


def send_sms(to="+15550100001", body="hello from the README", **options):
    """The reader's SMS sender: examples/sms_sender, without real waits."""
    options.setdefault("sleep", lambda seconds: None)
    return _send_sms(to, body, **options)
''',
}


def _undefined_names(source: str) -> set[str]:
    tree = ast.parse(source)
    loaded: set[str] = set()
    bound: set[str] = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
    return loaded - bound


def _plugin_args() -> list[str]:
    installed = {ep.value for ep in importlib.metadata.entry_points(group="pytest11")}
    return [] if "mockserver.testing.plugin" in installed else ["-p", "mockserver.testing.plugin"]


@pytest.mark.parametrize("snippet", _params("python", _defines_tests))
def test_pytest_snippet_runs(snippet: Snippet, pytester: pytest.Pytester) -> None:
    missing = _undefined_names(snippet.text)
    unknown = missing - set(STAND_INS)
    assert not unknown, snippet.where(
        f"uses {sorted(unknown)}, defined neither in the snippet nor as a stand-in here"
    )
    prelude = "".join(STAND_INS[name] for name in sorted(missing))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(EXAMPLES / "sms_sender", pytester.path / "sms_sender", ignore=ignore)
    pytester.makepyfile(test_readme_snippet=prelude + "\n\n" + snippet.text)
    tests = sum(line.lstrip().startswith("def test_") for line in snippet.text.splitlines())

    result = pytester.runpytest_subprocess(*_plugin_args(), "-q", "-p", "no:cacheprovider")

    outcomes = result.parseoutcomes()
    report = snippet.where(f"as a test file: {outcomes}\n" + "\n".join(result.outlines[-40:]))
    assert outcomes.get("passed") == tests, report
    assert set(outcomes) <= {"passed", "warnings"}, report


# --- sh ----------------------------------------------------------------------------------

LOCAL_HOSTS = ("127.0.0.1", "localhost")
STATUS_IN_COMMENT = re.compile(r"(?<![\w.:-])([1-5]\d\d)(?![\w-])")
RETRY_AFTER_IN_COMMENT = re.compile(r"Retry-After(?::\s*(\d+))?", re.IGNORECASE)
HEADERS_IN_COMMENT = re.compile(r"\b(X-(?!Mock-)[A-Za-z]+(?:-[A-Za-z]+)*)(-\*)?")
PASSES_IN_COMMENT = re.compile(r"\b(pass(es)?|succeeds?|ok)\b", re.IGNORECASE)
# values for the placeholders of a usage line (`mockserver catalog show VENDOR KEY`)
PLACEHOLDERS = {
    "VENDOR": "signalwire",
    "KEY": "21211",
    "TEXT": "rate limit",
    "PATH": "scenarios/signalwire",
}


@dataclass
class Command:
    line: int  # in the snippet, 1-based
    text: str  # with continuation lines joined, without its comment
    comment: str  # trailing comment and the comment lines just above it


def _split_comment(line: str) -> tuple[str, str]:
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def _commands(text: str) -> list[Command]:
    """Shell lines with their comments; an indented `[...` line continues a usage line."""
    found: list[Command] = []
    for command in _lines(text):
        if command.text.startswith("[") and found:
            found[-1].text += " " + command.text
        else:
            found.append(command)
    return found


def _lines(text: str) -> Iterator[Command]:
    above: list[str] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
            if raw.strip().startswith("#"):
                above.append(raw.strip().lstrip("#").strip())
                continue
            if not raw.strip():
                above = []
                continue
        if raw.rstrip().endswith("\\"):
            pending.append(raw.rstrip()[:-1])
            continue
        code, trailing = _split_comment(" ".join([*pending, raw]))
        pending = []
        yield Command(start, " ".join(code.split()), " ".join([*above, trailing]).strip())
        above = []


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Shell:
    """Runs a README sh block line by line: one server, variables, files, in order."""

    snippet: Snippet
    cwd: Path
    catalog: Catalog
    stack: contextlib.ExitStack
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch
    env: dict[str, str] = field(default_factory=dict)
    server: ServerThread | None = None

    def fail(self, command: Command, detail: str) -> NoReturn:
        pytest.fail(self.snippet.where(f"line {command.line} `{command.text}`: {detail}"))

    def run(self, command: Command) -> None:
        text = re.sub(r"\s*&$", "", command.text)  # `make run &`: started in the background
        assignment = re.fullmatch(r"([A-Za-z_]\w*)=(\S+)", text)
        if assignment:
            self.env[assignment.group(1)] = self.expand(assignment.group(2))
            return
        words = shlex.split(self.expand(text))
        handler = getattr(self, f"do_{words[0]}", None)
        if handler is None:
            self.fail(command, f"no check knows the command {words[0]!r}; teach test_readme.py")
        handler(command, words[1:])

    def expand(self, text: str) -> str:
        env = {"PWD": str(self.cwd), **self.env}
        return re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), m.group(0)), text)

    def start(self, settings: Settings | None = None) -> ServerThread:
        self.server = self.stack.enter_context(ServerThread(settings))
        return self.server

    # make ---------------------------------------------------------------------------------

    def do_make(self, command: Command, args: list[str]) -> None:
        makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
        for target in (a for a in args if not a.startswith("-") and "=" not in a):
            if not re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE):
                self.fail(command, f"the Makefile has no target {target!r}")
        if "run" in args:
            self.start()  # `make run`: the default server on 127.0.0.1:8080

    # mockserver ---------------------------------------------------------------------------

    def do_mockserver(self, command: Command, args: list[str]) -> None:
        usage = any("[" in a or a.rstrip(".") in PLACEHOLDERS or a.isupper() for a in args)
        if usage:
            self.check_usage(command, args)
            args = self.instance(command, args)
        if args[0] == "serve":
            self.serve(command, args)
            return
        code, out, err = self.cli(args)
        if code != 0:
            self.fail(command, f"`mockserver {shlex.join(args)}` exited {code}: {err or out}")

    def cli(self, args: list[str]) -> tuple[int | str | None, str, str]:
        self.capsys.readouterr()
        try:
            code: int | str | None = main(args)
        except SystemExit as exit_:
            code = exit_.code
        out, err = self.capsys.readouterr()
        return code, out, err

    def serve(self, command: Command, args: list[str]) -> None:
        """Run `serve` through the CLI up to the server start, then serve those settings."""
        seen: list[Settings] = []

        async def record(settings: Settings) -> None:
            seen.append(settings)

        with self.monkeypatch.context() as patch:
            patch.setattr(server_module, "serve", record)
            code, out, err = self.cli(args)
        if code != 0 or not seen:
            self.fail(command, f"`mockserver {shlex.join(args)}` exited {code}: {err or out}")
        self.start(seen[0])

    def check_usage(self, command: Command, args: list[str]) -> None:
        """Every flag and choice a usage line shows is one the CLI accepts."""
        words = [w.strip("[]") for w in args]
        sub = [w for w in words[:2] if re.fullmatch(r"[a-z]+", w)]
        code, out, _ = self.cli([*sub, "--help"])
        if code != 0:
            self.fail(command, f"`mockserver {' '.join(sub)} --help` exited {code}")
        for word in words:
            if word.startswith("--") and not re.search(rf"{re.escape(word)}\b", out):
                self.fail(command, f"`mockserver {' '.join(sub)}` has no option {word}")
            if "|" in word:
                shown = set(word.split("|"))
                if not any(set(g.split(",")) == shown for g in re.findall(r"\{([^}]*)\}", out)):
                    self.fail(command, f"the CLI's choices differ from {word!r}")

    def instance(self, command: Command, args: list[str]) -> list[str]:
        """The usage line without its optional parts, placeholders filled in."""
        result: list[str] = []
        depth = 0
        for word in args:
            depth += word.count("[")
            if depth == 0:
                name = word.rstrip(".")
                if name in PLACEHOLDERS:
                    result.append(PLACEHOLDERS[name])
                elif word.isupper():
                    self.fail(command, f"no sample value for the placeholder {word}")
                else:
                    result.append(word)
            depth -= word.count("]")
        return result

    # curl ---------------------------------------------------------------------------------

    def do_curl(self, command: Command, args: list[str]) -> None:
        method, url, headers, data, auth = self.parse_curl(command, args)
        server = self.server or self.start()
        parts = urllib.parse.urlsplit(url)
        if parts.hostname not in LOCAL_HOSTS or parts.port not in (8080, None):
            self.fail(command, f"only the main port on localhost is checked, not {url}")
        target = server.url + urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))
        try:
            answer = requests.request(
                method, target, headers=headers, data=data, auth=auth, timeout=10
            )
        except requests.RequestException as err:
            self.fail(command, f"request failed: {err}")
        response = Response(answer.status_code, dict(answer.headers), answer.text)
        self.check(command, parts.path, headers, response)

    def parse_curl(
        self, command: Command, args: list[str]
    ) -> tuple[str, str, dict[str, str], bytes | None, tuple[str, str] | None]:
        method, url, data, auth = "", "", None, None
        headers: dict[str, str] = {}
        words = iter(args)
        for word in words:
            if word in ("-i", "-s", "-S", "-v", "-L", "--include", "--silent", "--fail", "-f"):
                continue
            if word in ("-o", "--output", "-w", "--write-out"):
                next(words)
            elif word in ("-X", "--request"):
                method = next(words)
            elif word in ("-H", "--header"):
                name, _, value = next(words).partition(":")
                headers[name.strip()] = value.strip()
            elif word in ("-d", "--data", "--data-binary", "--data-raw"):
                value = next(words)
                if value.startswith("@") and word != "--data-raw":
                    path = self.cwd / value[1:]
                    if not path.is_file():
                        self.fail(command, f"{value[1:]} does not exist (no README block names it)")
                    data = path.read_bytes()
                else:
                    data = value.encode()
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            elif word in ("-u", "--user"):
                user, _, password = next(words).partition(":")
                auth = (user, password)
            elif word.startswith("-"):
                self.fail(command, f"curl option {word} is not understood by test_readme.py")
            else:
                url = word
        if not url:
            self.fail(command, "no URL")
        return method or ("POST" if data is not None else "GET"), url, headers, data, auth

    def check(self, command: Command, path: str, sent: dict[str, str], got: Response) -> None:
        said = f"got {got.status} {got.text[:300]!r}"
        expected = self.catalog_status(command, path, sent)
        self.check_params(command, sent, got)
        statuses = set(STATUS_IN_COMMENT.findall(command.comment))
        if len(statuses) > 1:
            self.fail(command, f"the comment names several statuses: {sorted(statuses)}")
        if statuses:
            stated = int(statuses.pop())
            if expected is not None and expected != stated:
                self.fail(command, f"the comment says {stated}, the catalog {expected}")
            expected = stated
        if expected is not None:
            if got.status != expected:
                self.fail(command, f"expected HTTP {expected}, {said}")
        elif PASSES_IN_COMMENT.search(command.comment):
            self.check_passes(command, got)
        elif path.startswith("/__admin/"):
            if not 200 <= got.status < 300:
                self.fail(command, f"an admin call should succeed, {said}")
        elif got.status >= 500:
            self.fail(command, said)
        self.check_headers(command, got)

    def catalog_status(self, command: Command, path: str, sent: dict[str, str]) -> int | None:
        """The status an `X-Mock-Error` code renders with: its override or the catalog's."""
        code = next((v for k, v in sent.items() if k.lower() == "x-mock-error"), None)
        if code is None:
            return None
        override = next((v for k, v in sent.items() if k.lower() == "x-mock-error-status"), None)
        vendor = path.strip("/").split("/")[0]
        entry = self.catalog.vendor(vendor).get(code) if vendor in self.catalog.vendors else None
        if entry is None:
            self.fail(command, f"{vendor} has no catalogued error {code!r}")
        return int(override) if override else int(entry.http_status)

    def check_params(self, command: Command, sent: dict[str, str], got: Response) -> None:
        """Values given in `X-Mock-Error-Params` show up in the rendered error."""
        given = next((v for k, v in sent.items() if k.lower() == "x-mock-error-params"), "")
        for pair in filter(None, (p.strip() for p in given.split(";"))):
            value = pair.partition("=")[2].strip()
            if value not in got.text:
                self.fail(command, f"{pair!r} is not filled in: {got.text[:300]!r}")

    def check_passes(self, command: Command, got: Response) -> None:
        """ "Passes": the scenario shown lets this request through (no rule answered it).

        The vendor may still answer with its own error, e.g. RingCentral's 401 OAU-134 for a
        curl that carries no access token.
        """
        assert self.server is not None
        journal = requests.get(self.server.url + "/__admin/requests", timeout=10).json()
        last = max(journal["requests"], key=lambda entry: entry["time"])
        if last["rule"] is not None or got.status == 429 or got.status >= 500:
            self.fail(command, f"should pass, but rule {last['rule']!r} answered {got.status}")

    def check_headers(self, command: Command, got: Response) -> None:
        names = {name.lower(): value for name, value in got.headers.items()}
        for match in RETRY_AFTER_IN_COMMENT.finditer(command.comment):
            if "retry-after" not in names:
                self.fail(command, f"no Retry-After header in {sorted(names)}")
            if match.group(1) and names["retry-after"] != match.group(1):
                self.fail(command, f"Retry-After is {names['retry-after']}, not {match.group(1)}")
        for header, star in HEADERS_IN_COMMENT.findall(command.comment):
            prefix = header.lower() + ("-" if star else "")
            if not any(name == prefix or (star and name.startswith(prefix)) for name in names):
                self.fail(command, f"no {header}{star} header in {sorted(names)}")

    # docker -------------------------------------------------------------------------------

    def do_docker(self, command: Command, args: list[str]) -> None:
        if args[0] == "build":
            context = self.cwd / args[-1]
            if not (context / "Dockerfile").is_file():
                self.fail(command, f"no Dockerfile in {args[-1]}")
            return
        for flag, value in itertools.pairwise(args):
            if flag in ("-v", "--volume"):
                host, container = value.split(":")[:2]
                if container == "/scenarios":
                    code, out, err = self.cli(["validate", host])
                    if code != 0:
                        self.fail(command, f"the mounted scenarios do not validate: {err or out}")


@pytest.fixture
def readme_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory that looks like the repository root, plus the README's files."""
    for entry in ROOT.iterdir():
        if not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    for snippet in _snippets():
        if snippet.name:
            (tmp_path / snippet.name).write_text(snippet.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # the README's commands run against a plain local server, whatever this shell exports
    for name in list(os.environ):
        if name.startswith("MOCKSERVER_"):
            monkeypatch.delenv(name)
    return tmp_path


@pytest.mark.parametrize("snippet", _params("sh"))
def test_sh_snippet_runs_as_shown(
    snippet: Snippet,
    readme_cwd: Path,
    catalog: Catalog,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commands = list(_commands(snippet.text))
    assert commands, snippet.where("holds no command")
    with contextlib.ExitStack() as stack:
        shell = Shell(snippet, readme_cwd, catalog, stack, capsys, monkeypatch)
        for command in commands:
            shell.run(command)


# --- the checker itself ------------------------------------------------------------------


def test_commands_join_continuations_and_keep_comments() -> None:
    text = "# above\ncurl -i \\\n  http://x/y   # beside\n\n# alone\nmake test\n"
    got = [(c.line, c.text, c.comment) for c in _commands(text)]
    assert got == [(2, "curl -i http://x/y", "above beside"), (6, "make test", "alone")]


def test_comment_parsing_ignores_codes_and_request_headers() -> None:
    comment = "CMN-301 on :8080, 21211, X-Mock-Error: 429 with X-Rate-Limit-* headers"
    assert STATUS_IN_COMMENT.findall(comment) == ["429"]
    assert HEADERS_IN_COMMENT.findall(comment) == [("X-Rate-Limit", "-*")]
