"""Precision and recall on real applications: pinned releases from PyPI, labelled by people who never read the engine.

    python benchmarks/realworld.py fetch              # download, verify and unpack every app in realworld/apps.toml
    python benchmarks/realworld.py scan [APP...]      # run the installed `privacy-lint check` on each app
    python benchmarks/realworld.py sample [APP...]    # add what still needs a label to realworld/labels/APP.toml
    python benchmarks/realworld.py score [--half fix|untouched|fresh] [--record NAME] [-v]

Two kinds of labels, both data in `realworld/labels/APP.toml`, both written by a helper reading the code:
- `[[finding]]`: a verdict on one finding (`key = "path:line:rule"`), for a seeded sample of at most
  `FINDINGS_PER_APP` findings, drawn by ranking every finding's key by a seeded hash. A finding that an engine
  change adds enters the sample only if it ranks high enough, so re-running after a change asks for few new
  verdicts. Precision = true / judged, over the sample of today's findings; unjudged findings are listed.
- `[[sink]]`: a sink statement found by a plain syntactic search that knows nothing of the engine (logging calls,
  print, raise, outbound HTTP and SDK calls), in three seeded strata: any log statement, log statements whose
  text holds a personal-data word, and outbound calls. Each is labelled leaking or not. Recall = leaking sinks
  with a finding of the same family on the statement's lines (or reaching it through a helper) / leaking sinks.

The unpacked sources live in `$PRIVACY_LINT_REALWORLD` or `~/.cache/privacy-lint-realworld`; scan results in
`benchmarks/.cache/realworld/`. The scanned code is never imported or run.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from privacy_lint.rules import FAMILY_OF

HERE = Path(__file__).resolve().parent
APPS_FILE = HERE / "realworld" / "apps.toml"
LABELS = HERE / "realworld" / "labels"
RESULTS = HERE / ".cache" / "realworld"
FIRST_RUNS = HERE / "realworld" / "first_runs.json"

SEED = "privacy-lint-realworld-1"
FINDINGS_PER_APP = 40
SINKS_PER_STRATUM = {"log-any": 8, "log-personal-word": 30, "outbound": 12}

LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
CONSOLE_CALLS = {
    "print",
    "click.echo",
    "click.secho",
    "typer.echo",
    "typer.secho",
    "warnings.warn",
    "pprint",
    "pprint.pprint",
}
LOGGER_WORD = re.compile(r"log", re.IGNORECASE)
OUTBOUND_ROOTS = {
    "requests", "httpx", "aiohttp", "urllib", "urllib3", "sentry_sdk", "stripe", "analytics", "mixpanel",
    "posthog", "boto3", "openai", "twilio", "sendgrid", "slack_sdk", "mailchimp3", "hubspot", "braintree",
}  # fmt: skip
OUTBOUND_METHODS = {"get", "post", "put", "patch", "delete", "request", "urlopen", "fetch", "send"}
CLIENT_WORD = re.compile(r"session|client|http|api|requests|conn", re.IGNORECASE)
PERSONAL_WORD = re.compile(
    r"e_?mail|name|user|phone|address|addr|\bip\b|birth|iban|card|password|passwd|token|location|member|"
    r"speaker|attendee|customer|person|contact|account|profile|sender|recipient|subscriber|author",
    re.IGNORECASE,
)
SKIPPED_PARTS = {"tests", "test", "testing", "migrations", "alembic"}


@dataclass(frozen=True)
class App:
    name: str
    version: str
    half: str
    url: str
    sha256: str
    root: str

    @property
    def folder(self) -> Path:
        return source_cache() / f"{self.name}-{self.version}"

    @property
    def scanned(self) -> Path:
        return self.folder / self.root if self.root else self.folder


def source_cache() -> Path:
    return Path(os.environ.get("PRIVACY_LINT_REALWORLD") or Path.home() / ".cache" / "privacy-lint-realworld")


def load_apps() -> dict[str, App]:
    data = tomllib.loads(APPS_FILE.read_text(encoding="utf-8"))["apps"]
    fields = ("version", "half", "url", "sha256", "root")
    return {name: App(name, *(str(entry[key]) for key in fields)) for name, entry in data.items()}


# ---- fetch ---------------------------------------------------------------------------------------------------


def fetch(app: App) -> Path:
    if (app.folder / ".complete").exists():
        return app.folder
    archive = source_cache() / "archives" / app.url.rsplit("/", 1)[1]
    if not archive.exists():
        archive.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(app.url, timeout=120) as response, archive.open("wb") as out:
            shutil.copyfileobj(response, out)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != app.sha256:
        archive.unlink()
        raise SystemExit(f"{archive.name}: sha256 {digest} is not the pinned {app.sha256}")
    staging = app.folder.with_name(app.folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    unpacked = staging
    if archive.name.endswith(".whl"):
        with zipfile.ZipFile(archive) as wheel:
            wheel.extractall(staging)
    else:
        with tarfile.open(archive) as sdist:
            sdist.extractall(staging, filter="data")
        tops = list(staging.iterdir())
        if len(tops) == 1 and tops[0].is_dir():  # an sdist's single top folder: name-version/
            unpacked = tops[0]
    shutil.rmtree(app.folder, ignore_errors=True)
    unpacked.rename(app.folder)
    shutil.rmtree(staging, ignore_errors=True)
    (app.folder / ".complete").write_text(f"{app.name}=={app.version}\n")
    return app.folder


# ---- scan ----------------------------------------------------------------------------------------------------


def scan(app: App, privacy_lint: str) -> dict:
    fetch(app)
    command = [privacy_lint, "check", "--no-cache", "--format", "json", "."]
    done = subprocess.run(command, cwd=app.scanned, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1, 3):
        raise SystemExit(f"{app.name}: privacy-lint exited {done.returncode}\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{app.name}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def finding_key(finding: dict) -> str:
    return f"{finding['path']}:{finding['span']['line']}:{finding['rule']}"


def load_findings(app: App) -> list[dict]:
    path = RESULTS / f"{app.name}.json"
    if not path.exists():
        raise SystemExit(f"{app.name}: no scan result; run `python {Path(__file__).name} scan {app.name}` first")
    return list(json.loads(path.read_text(encoding="utf-8"))["findings"])


def rank(key: str) -> str:
    return hashlib.sha256(f"{SEED}:{key}".encode()).hexdigest()


def finding_sample(findings: list[dict]) -> list[dict]:
    """The seeded sample: the FINDINGS_PER_APP findings whose keys hash lowest (all of them when fewer)."""
    unique = {finding_key(f): f for f in findings}
    return [unique[key] for key in sorted(unique, key=rank)[:FINDINGS_PER_APP]]


# ---- sink statements: a syntactic search that knows nothing of the engine --------------------------------------


@dataclass(frozen=True)
class SinkStatement:
    path: str
    line: int
    end_line: int
    kind: str  # log | print | exception | outbound
    code: str

    @property
    def family(self) -> str:
        return sink_family(self.kind)

    @property
    def key(self) -> str:
        return f"{self.path}:{self.line}"


def sink_family(kind: str) -> str:
    """The rule family whose findings count for a sink statement of this kind."""
    return "third-party" if kind == "outbound" else "logs"


def finding_family(rule: str) -> str:
    """A consent finding (PRV201) sits on the transfer it is reported with."""
    family = FAMILY_OF[rule]
    return "third-party" if family == "consent" else family


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return dotted(node.func) + "()"
    return "?"


def call_kind(call: ast.Call) -> str | None:
    name = dotted(call.func)
    parts = name.split(".")
    if name in CONSOLE_CALLS or (len(parts) >= 2 and parts[-2] in ("stdout", "stderr") and parts[-1] == "write"):
        return "print"
    if len(parts) >= 2 and parts[-1] in LOG_METHODS and LOGGER_WORD.search(parts[-2]):
        return "log"
    if parts[0] in OUTBOUND_ROOTS and len(parts) >= 2:
        return "outbound"
    if parts[-1] in OUTBOUND_METHODS and len(parts) >= 2 and CLIENT_WORD.search(parts[-2]):
        return "outbound"
    return None


def sink_statements(app: App) -> list[SinkStatement]:
    found: list[SinkStatement] = []
    root = app.scanned
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if SKIPPED_PARTS & set(relative.parts[:-1]) or relative.name.startswith("test_"):
            continue
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            kind = None
            if isinstance(node, ast.Call):
                kind = call_kind(node)
                if kind in ("log", "print") and not (node.args or node.keywords):
                    kind = None
            elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                kind = "exception"
            if kind is None:
                continue
            code = ast.get_source_segment(source, node) or ""
            end = node.end_lineno or node.lineno
            found.append(SinkStatement(relative.as_posix(), node.lineno, end, kind, code))
    return found


def sink_sample(statements: list[SinkStatement]) -> dict[str, list[SinkStatement]]:
    logs = [s for s in statements if s.family == "logs"]
    strata = {
        "log-any": logs,
        "log-personal-word": [s for s in logs if PERSONAL_WORD.search(s.code)],
        "outbound": [s for s in statements if s.kind == "outbound"],
    }
    chosen: dict[str, list[SinkStatement]] = {}
    taken: set[str] = set()
    for stratum, pool in strata.items():
        ranked = [s for s in sorted(pool, key=lambda s: rank(s.key)) if s.key not in taken]
        chosen[stratum] = ranked[: SINKS_PER_STRATUM[stratum]]
        taken.update(s.key for s in chosen[stratum])
    return chosen


# ---- labels --------------------------------------------------------------------------------------------------


@dataclass
class Labels:
    findings: dict[str, dict] = field(default_factory=dict)
    sinks: dict[str, dict] = field(default_factory=dict)


def load_labels(app: App) -> Labels:
    path = LABELS / f"{app.name}.toml"
    if not path.exists():
        return Labels()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Labels(
        {entry["key"]: entry for entry in data.get("finding", [])},
        {entry["key"]: entry for entry in data.get("sink", [])},
    )


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def sample(app: App) -> tuple[int, int]:
    """Append to the app's label file every sampled finding and sink statement that has no label yet."""
    labels = load_labels(app)
    lines: list[str] = []
    new_findings = new_sinks = 0
    for finding in finding_sample(load_findings(app)):
        key = finding_key(finding)
        if key in labels.findings:
            continue
        new_findings += 1
        lines += [
            "[[finding]]",
            f"key = {toml_string(key)}",
            f"message = {toml_string(finding['message'])}",
            'verdict = "?"  # true | false',
            'fp_class = ""  # for a false finding: why, in a few words',
            'note = ""',
            "",
        ]
    for stratum, statements in sink_sample(sink_statements(app)).items():
        for statement in statements:
            if statement.key in labels.sinks:
                continue
            new_sinks += 1
            lines += [
                "[[sink]]",
                f"key = {toml_string(statement.key)}",
                f"end_line = {statement.end_line}",
                f"kind = {toml_string(statement.kind)}",
                f"stratum = {toml_string(stratum)}",
                f"code = {toml_string(statement.code[:400])}",
                'leaking = "?"  # yes | no',
                'note = ""',
                "",
            ]
    if lines:
        LABELS.mkdir(parents=True, exist_ok=True)
        path = LABELS / f"{app.name}.toml"
        head = "" if path.exists() else f"# Labels for {app.name} {app.version}: see benchmarks/realworld.py.\n\n"
        with path.open("a", encoding="utf-8") as out:
            out.write(head + "\n".join(lines))
    return new_findings, new_sinks


# ---- score ---------------------------------------------------------------------------------------------------


@dataclass
class Score:
    judged_true: int = 0
    judged_false: int = 0
    unjudged: list[str] = field(default_factory=list)
    leaking_found: int = 0
    leaking_missed: list[str] = field(default_factory=list)
    unlabelled_sinks: int = 0
    fp_classes: dict[str, int] = field(default_factory=dict)
    false_keys: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.judged_true += other.judged_true
        self.judged_false += other.judged_false
        self.unjudged += other.unjudged
        self.leaking_found += other.leaking_found
        self.leaking_missed += other.leaking_missed
        self.unlabelled_sinks += other.unlabelled_sinks
        self.false_keys += other.false_keys
        for name, count in other.fp_classes.items():
            self.fp_classes[name] = self.fp_classes.get(name, 0) + count

    @property
    def precision(self) -> float | None:
        judged = self.judged_true + self.judged_false
        return round(self.judged_true / judged, 3) if judged else None

    @property
    def recall(self) -> float | None:
        leaking = self.leaking_found + len(self.leaking_missed)
        return round(self.leaking_found / leaking, 3) if leaking else None

    def as_dict(self) -> dict:
        return {
            "precision": self.precision,
            "judged": self.judged_true + self.judged_false,
            "true": self.judged_true,
            "unjudged": len(self.unjudged),
            "recall": self.recall,
            "leaking": self.leaking_found + len(self.leaking_missed),
            "found": self.leaking_found,
            "unlabelled_sinks": self.unlabelled_sinks,
            "fp_classes": dict(sorted(self.fp_classes.items(), key=lambda item: -item[1])),
        }


def family_lines(findings: list[dict]) -> dict[tuple[str, str], set[int]]:
    """(path, family) -> every line some finding of that family spans, and the line of the sink statement a
    finding reported at a call site reaches (`audit(email)` -> the `logger.info` inside `audit`)."""
    lines: dict[tuple[str, str], set[int]] = {}
    for finding in findings:
        family = finding_family(finding["rule"])
        span = finding["span"]
        lines.setdefault((finding["path"], family), set()).update(range(span["line"], span["end_line"] + 1))
        steps = finding.get("steps", [])
        if len(steps) >= 2 and steps[-1]["note"].startswith("sink:") and steps[-2]["note"] == finding["sink"]:
            sink = steps[-2]
            lines.setdefault((sink["path"] or finding["path"], family), set()).add(sink["span"]["line"])
    return lines


def score(app: App) -> Score:
    findings = load_findings(app)
    labels = load_labels(app)
    result = Score()
    for finding in finding_sample(findings):
        key = finding_key(finding)
        verdict = labels.findings.get(key, {}).get("verdict", "?")
        if verdict == "true":
            result.judged_true += 1
        elif verdict == "false":
            result.judged_false += 1
            result.false_keys.append(f"{app.name}: {key}  {labels.findings[key].get('fp_class', '')}")
            name = labels.findings[key].get("fp_class") or "unclassified"
            result.fp_classes[name] = result.fp_classes.get(name, 0) + 1
        else:
            result.unjudged.append(f"{app.name}: {key}  {finding['message']}")
    reported = family_lines(findings)
    for key, sink in labels.sinks.items():
        if sink["leaking"] == "?":
            result.unlabelled_sinks += 1
            continue
        if sink["leaking"] != "yes":
            continue
        path, _, line = key.rpartition(":")
        statement = set(range(int(line), int(sink["end_line"]) + 1))
        if statement & reported.get((path, sink_family(sink["kind"])), set()):
            result.leaking_found += 1
        else:
            result.leaking_missed.append(f"{app.name}: {key}  {sink['code'][:100]!r}")
    return result


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True)
    return done.stdout.strip()


def report(apps: list[App], verbose: bool, record: str | None) -> None:
    halves: dict[str, Score] = {}
    per_app: dict[str, dict] = {}
    for app in apps:
        result = score(app)
        per_app[app.name] = result.as_dict()
        halves.setdefault(app.half, Score()).add(result)
        numbers = result.as_dict()
        print(
            f"{app.name:16} {app.half:9} P {result.precision} ({result.judged_true}/{numbers['judged']}, "
            f"{len(result.unjudged)} unjudged)  R {result.recall} ({result.leaking_found}/{numbers['leaking']})"
        )
    for half, result in halves.items():
        print(f"== half {half}: {json.dumps(result.as_dict())}")
        if verbose:
            for line in [*result.false_keys, "-- missed:", *result.leaking_missed]:
                print("  ", line)
        for line in result.unjudged:
            print("   needs a verdict:", line)
    if record:
        runs = json.loads(FIRST_RUNS.read_text(encoding="utf-8")) if FIRST_RUNS.exists() else {}
        runs[record] = {
            "commit": git_commit(),
            "halves": {half: result.as_dict() for half, result in halves.items()},
            "apps": per_app,
        }
        FIRST_RUNS.write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
        print(f"recorded as {record!r} in {FIRST_RUNS.relative_to(HERE.parent)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=("fetch", "scan", "sample", "score"))
    parser.add_argument("apps", nargs="*", help="app names (default: every app, or every app of --half)")
    parser.add_argument("--half", choices=sorted({app.half for app in load_apps().values()}))
    parser.add_argument("--privacy-lint", default=shutil.which("privacy-lint") or "privacy-lint")
    parser.add_argument("--record", metavar="NAME", help="score: save the numbers under NAME in first_runs.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="score: list false findings and misses")
    args = parser.parse_args()
    every = load_apps()
    unknown = set(args.apps) - set(every)
    if unknown:
        raise SystemExit(f"unknown apps: {', '.join(sorted(unknown))}")
    apps = [every[name] for name in args.apps] if args.apps else list(every.values())
    apps = [app for app in apps if args.half in (None, app.half)]
    for app in apps:
        if args.command == "fetch":
            print(app.name, fetch(app))
        elif args.command == "scan":
            result = scan(app, args.privacy_lint)
            print(f"{app.name}: {len(result['findings'])} findings in {result['files_scanned']} files")
        elif args.command == "sample":
            print("{}: {} findings and {} sink statements to label".format(app.name, *sample(app)))
    if args.command == "score":
        report(apps, args.verbose, args.record)


if __name__ == "__main__":
    sys.exit(main())
