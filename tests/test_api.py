"""The pipeline every front end uses, in process: `check_paths`, `check_source`, `report_paths`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import privacy_lint
from privacy_lint import Overrides, Settings, UsageError, check_paths, check_source, report_paths

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample_service"


def _keys(findings: list[privacy_lint.Finding]) -> set[tuple[str, int, str]]:
    return {(Path(f.path).name, f.span.line, f.rule) for f in findings}


def test_public_api_is_listed_and_lazy() -> None:
    assert set(privacy_lint.__all__) >= {"Settings", "check_paths", "check_source", "report_paths", "Finding"}
    with pytest.raises(AttributeError):
        privacy_lint.not_a_name  # noqa: B018


def test_check_paths_filters_without_editing_the_scan() -> None:
    everything = check_paths(Settings(paths=(str(SAMPLE),), use_cache=False))
    transfers = check_paths(Settings(paths=(str(SAMPLE),), use_cache=False, overrides=Overrides(select=("PRV1",))))
    assert everything.exit_status() == 1
    assert transfers.findings and all(f.rule.startswith("PRV1") for f in transfers.findings)
    assert _keys(transfers.findings) < _keys(everything.findings)


def test_usage_errors_are_one_exception(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such configuration file"):
        check_paths(Settings(paths=(str(tmp_path),), config_file=str(tmp_path / "missing.toml")))
    (tmp_path / "a.py").write_text("x = 1\n")
    with pytest.raises(UsageError):
        check_paths(Settings(paths=(str(tmp_path),), baseline=str(tmp_path / "a.py"), use_cache=False))


def test_baseline_hides_known_findings_and_counts_them(tmp_path: Path) -> None:
    from privacy_lint.baseline import write_baseline

    settings = Settings(paths=(str(SAMPLE),), use_cache=False)
    first = check_paths(settings)
    baseline = tmp_path / "baseline.json"
    write_baseline(first.findings[:3], baseline)
    again = check_paths(Settings(paths=(str(SAMPLE),), use_cache=False, baseline=str(baseline)))
    assert again.hidden_by_baseline == 3
    assert len(again.findings) == len(first.findings) - 3
    report, new = report_paths(Settings(paths=(str(SAMPLE),), use_cache=False, baseline=str(baseline)))
    assert new is not None and len(report.findings) == len(first.findings) and len(new) == len(first.findings) - 3


def test_check_source_sees_the_project_like_a_scan(tmp_path: Path) -> None:
    project = tmp_path / "service"
    shutil.copytree(SAMPLE, project)
    (project / "pyproject.toml").write_text("[tool.privacy-lint]\n")
    scanned = check_paths(Settings(paths=(str(project),), use_cache=False))
    for path in sorted(project.rglob("*.py")):
        one = check_source(path.read_text(encoding="utf-8"), str(path))
        assert _keys(one) == _keys([f for f in scanned.findings if Path(f.path).name == path.name]), path.name
