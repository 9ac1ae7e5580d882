"""The GitHub Actions workflow publishes safely.

Reads every workflow in .github/workflows, parsed for structure and as raw text for the version
comments YAML drops, and checks the properties the deployment relies on (docs/deploy.md): least
privilege, pinned actions, no stored credentials, no publish from a pull request, no publish
after a failed build. Then zizmor, offline, must find nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pelicanconf import PLACEHOLDERS

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"

# owner/repo[/path]@<40 hex> # v1.2.3: the comment tells readers (and Dependabot) the version.
PINNED_USES = re.compile(
    r"^\s*(?:-\s+)?uses:\s*(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})"
    r"\s+#\s*v\d+(?:\.\d+)*\s*$"
)
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:")
# Every setting the production guard (publishconf.py) insists on: a new one added to
# PLACEHOLDERS fails the workflow test until the workflow passes it too.
CLINIC_VARIABLES = ("SITEURL", *PLACEHOLDERS)
NOT_FROM_A_PULL_REQUEST = "github.event_name != 'pull_request'"
ONLY_MAIN = "github.ref == 'refs/heads/main'"


def workflow_files() -> list[Path]:
    files = sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])
    assert files, f"no workflow in {WORKFLOWS}"
    return files


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on or {}


def all_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    """(file name, job id, job) for every job of every workflow."""
    return [
        (path.name, job_id, job)
        for path in workflow_files()
        for job_id, job in load(path)["jobs"].items()
    ]


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps") or []


def uses(step: dict[str, Any]) -> str:
    return step.get("uses", "")


def jobs_using(action: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, job_id, job)
        for name, job_id, job in all_jobs()
        if any(uses(step).startswith(f"{action}@") for step in steps(job))
    ]


def deploy_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    found = jobs_using("actions/deploy-pages")
    assert found, "no job uses actions/deploy-pages"
    return found


def build_and_test_job() -> tuple[str, str, dict[str, Any]]:
    found = [
        (name, job_id, job)
        for name, job_id, job in all_jobs()
        if any(".ci/run" in step.get("run", "") for step in steps(job))
    ]
    assert len(found) == 1, f"expected one job running .ci/run, found {found}"
    return found[0]


def needs(job: dict[str, Any]) -> list[str]:
    value = job.get("needs", [])
    return [value] if isinstance(value, str) else list(value)


def condition(item: dict[str, Any]) -> str:
    return " ".join(str(item.get("if", "")).split())


# --- shape ----------------------------------------------------------------------------------------

# The keys GitHub's workflow syntax allows. GitHub rejects a misspelt key (`needz:`) only once the
# workflow is pushed; the checks below would just not see it.
WORKFLOW_KEYS = {
    "name",
    "run-name",
    "on",
    True,
    "permissions",
    "env",
    "defaults",
    "concurrency",
    "jobs",
}
JOB_KEYS = {
    "name", "needs", "if", "runs-on", "permissions", "environment", "concurrency", "outputs",
    "env", "defaults", "steps", "timeout-minutes", "strategy", "continue-on-error", "container",
    "services", "uses", "with", "secrets",
}  # fmt: skip
STEP_KEYS = {
    "id", "if", "name", "uses", "run", "working-directory", "shell", "with", "env",
    "continue-on-error", "timeout-minutes",
}  # fmt: skip


def test_workflows_use_only_keys_github_knows():
    for path in workflow_files():
        workflow = load(path)
        assert set(workflow) <= WORKFLOW_KEYS, f"{path.name}: {set(workflow) - WORKFLOW_KEYS}"
        for job_id, job in workflow["jobs"].items():
            assert set(job) <= JOB_KEYS, f"{path.name}:{job_id}: {set(job) - JOB_KEYS}"
            for step in steps(job):
                assert set(step) <= STEP_KEYS, f"{path.name}:{job_id}: {set(step) - STEP_KEYS}"


# --- triggers -------------------------------------------------------------------------------------


def test_workflows_cover_pull_requests_main_daily_and_manual_runs():
    seen: dict[str, Any] = {}
    for path in workflow_files():
        seen.update(triggers(load(path)))
    assert "pull_request" in seen
    assert seen["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in seen
    crons = [entry["cron"] for entry in seen["schedule"]]
    assert crons, "no schedule"
    for cron in crons:
        minute, hour, day, month, weekday = cron.split()
        assert minute.isdigit() and hour.isdigit(), f"{cron!r} is not once a day"
        assert (day, month, weekday) == ("*", "*", "*"), f"{cron!r} is not every day"


def test_no_workflow_runs_on_pull_request_target():
    # pull_request_target runs fork code with a write token: never wanted for a static site.
    for path in workflow_files():
        assert "pull_request_target" not in triggers(load(path)), path.name


# --- permissions ----------------------------------------------------------------------------------


def test_top_level_permissions_are_empty():
    for path in workflow_files():
        workflow = load(path)
        assert "permissions" in workflow, f"{path.name}: no top-level permissions"
        assert workflow["permissions"] == {}, f"{path.name}: {workflow['permissions']}"


def test_every_job_declares_its_own_permissions():
    for name, job_id, job in all_jobs():
        assert isinstance(job.get("permissions"), dict), f"{name}:{job_id} has no permissions map"


def test_deploy_job_alone_may_write_pages():
    deploy_ids = {(name, job_id) for name, job_id, _ in deploy_jobs()}
    for name, job_id, job in all_jobs():
        permissions = job["permissions"]
        if (name, job_id) in deploy_ids:
            assert permissions == {"pages": "write", "id-token": "write"}, permissions
        else:
            assert "pages" not in permissions, f"{name}:{job_id} touches pages"
            assert "id-token" not in permissions, f"{name}:{job_id} can mint OIDC tokens"


def test_build_and_test_job_may_only_read_contents():
    _, _, job = build_and_test_job()
    assert job["permissions"] == {"contents": "read"}


def test_no_job_asks_for_any_other_write_permission():
    for name, job_id, job in all_jobs():
        for scope, level in job["permissions"].items():
            if level == "write":
                assert scope in ("pages", "id-token"), f"{name}:{job_id} writes {scope}"


# --- actions --------------------------------------------------------------------------------------


def test_every_action_is_pinned_by_commit_sha_with_its_version_in_a_comment():
    for path in workflow_files():
        raw_uses = [line for line in path.read_text().splitlines() if USES_LINE.match(line)]
        bad = [line.strip() for line in raw_uses if not PINNED_USES.match(line)]
        assert not bad, f"{path.name}: not pinned as owner/repo@<sha> # vX.Y.Z: {bad}"
        # Every parsed `uses:` was one of the lines checked above (none hide in flow style).
        parsed = [
            uses(step) for job in load(path)["jobs"].values() for step in steps(job) if uses(step)
        ]
        parsed += [job["uses"] for job in load(path)["jobs"].values() if "uses" in job]
        assert len(parsed) == len(raw_uses), path.name


def test_each_action_is_pinned_to_one_commit_everywhere():
    shas: dict[str, set[str]] = {}
    for path in workflow_files():
        for line in path.read_text().splitlines():
            if match := PINNED_USES.match(line):
                shas.setdefault(match["action"], set()).add(match["sha"])
    assert shas
    assert {action: s for action, s in shas.items() if len(s) > 1} == {}


def test_every_checkout_keeps_no_credentials():
    checkouts = [
        (name, job_id, step)
        for name, job_id, job in all_jobs()
        for step in steps(job)
        if uses(step).startswith("actions/checkout@")
    ]
    assert checkouts, "no checkout at all"
    for name, job_id, step in checkouts:
        assert (step.get("with") or {}).get("persist-credentials") is False, f"{name}:{job_id}"


# --- build and test -------------------------------------------------------------------------------


def test_build_job_runs_the_checks_on_python_311_before_the_production_build():
    _, _, job = build_and_test_job()
    names = [uses(step).split("@")[0] or step.get("run", "") for step in steps(job)]
    python = next(s for s in steps(job) if uses(s).startswith("actions/setup-python@"))
    assert str(python["with"]["python-version"]) == "3.11"
    checks = names.index("bash .ci/run")
    publish = names.index("make preview")
    upload = names.index("actions/upload-pages-artifact")
    assert names.index("actions/setup-python") < checks < publish < upload


def test_production_values_come_from_repository_variables_not_secrets():
    _, _, job = build_and_test_job()
    publish = next(step for step in steps(job) if step.get("run") == "make preview")
    assert publish["env"] == {key: f"${{{{ vars.{key} }}}}" for key in CLINIC_VARIABLES}
    for path in workflow_files():
        assert "secrets." not in path.read_text(), path.name


def test_no_expression_is_pasted_into_a_run_script():
    # ${{ }} inside `run:` is substituted before the shell parses it: template injection.
    for name, job_id, job in all_jobs():
        for step in steps(job):
            assert "${{" not in step.get("run", ""), f"{name}:{job_id}: {step.get('run')}"


def test_the_output_folder_is_what_gets_uploaded():
    _, _, job = build_and_test_job()
    upload = next(s for s in steps(job) if uses(s).startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"].rstrip("/") == "output"


def test_every_run_uploads_a_checked_preview_of_the_site_before_the_production_build():
    _, _, job = build_and_test_job()
    names = [uses(step).split("@")[0] or step.get("run", "") for step in steps(job)]
    preview = next(s for s in steps(job) if uses(s).startswith("actions/upload-artifact@"))
    assert "if" not in preview, "pull requests need the preview most"
    assert preview["with"]["path"].rstrip("/") == "output"
    assert preview["with"]["if-no-files-found"] == "error"
    checks, build = names.index("bash .ci/run"), names.index("make build")
    assert checks < build < names.index("actions/upload-artifact") < names.index("make preview")


# --- deploy ---------------------------------------------------------------------------------------


def test_deploy_needs_the_build_and_test_job():
    _, test_id, _ = build_and_test_job()
    for name, job_id, job in deploy_jobs():
        assert test_id in needs(job), f"{name}:{job_id} does not wait for {test_id}"


def test_deploy_never_runs_for_a_pull_request_and_only_from_main():
    for name, job_id, job in deploy_jobs():
        clauses = condition(job).split(" && ")
        # A plain conjunction: every clause must hold, so the pull request clause always applies.
        assert "||" not in condition(job), f"{name}:{job_id}: {condition(job)}"
        assert NOT_FROM_A_PULL_REQUEST in clauses, f"{name}:{job_id}: {condition(job)}"
        assert ONLY_MAIN in clauses, f"{name}:{job_id}: {condition(job)}"


def test_the_site_is_uploaded_exactly_when_it_will_be_deployed():
    _, _, build = build_and_test_job()
    upload = next(s for s in steps(build) if uses(s).startswith("actions/upload-pages-artifact@"))
    for _, _, deploy in deploy_jobs():
        assert condition(upload) == condition(deploy)


def test_deploy_uses_the_official_pages_actions_in_order():
    for name, job_id, job in deploy_jobs():
        actions = [uses(step).split("@")[0] for step in steps(job) if uses(step)]
        assert actions == ["actions/configure-pages", "actions/deploy-pages"], f"{name}:{job_id}"
        assert job["environment"]["name"] == "github-pages"


def test_a_publish_in_progress_is_never_cancelled():
    for name, job_id, job in deploy_jobs():
        assert job.get("concurrency") == {"group": "pages", "cancel-in-progress": False}, (
            f"{name}:{job_id}"
        )
    # Nothing else may share the group and cancel it either.
    for path in workflow_files():
        workflow = load(path)
        groups = [workflow.get("concurrency")] + [
            job.get("concurrency") for job in workflow["jobs"].values()
        ]
        for group in groups:
            if isinstance(group, dict) and group.get("group") == "pages":
                assert group.get("cancel-in-progress") is False, path.name


# --- zizmor ---------------------------------------------------------------------------------------


def zizmor() -> str:
    beside_python = Path(sys.executable).parent / "zizmor"
    found = str(beside_python) if beside_python.exists() else shutil.which("zizmor")
    if not found:
        pytest.fail("zizmor is not installed (it is pinned in pyproject.toml's dev extra)")
    return found


def test_zizmor_finds_nothing_offline():
    # No token in the environment: the audit must not depend on, or reach, the network.
    env = {k: v for k, v in os.environ.items() if k not in ("GH_TOKEN", "GITHUB_TOKEN")}
    env["ZIZMOR_OFFLINE"] = "true"
    result = subprocess.run(
        [
            zizmor(),
            "--offline",
            "--strict-collection",  # a workflow zizmor cannot parse is a failure, not a skip
            "--format",
            "json",
            "--no-progress",
            str(WORKFLOWS.relative_to(ROOT)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    findings = json.loads(result.stdout or "null")
    summary = [(f["ident"], f["determinations"]["severity"]) for f in findings or []]
    assert findings == [], f"zizmor findings: {summary}\n{result.stderr}"
    assert result.returncode == 0, result.stderr
