"""Staff accounts and API tokens from the command line, as an operator runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import run


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"SURVEY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    assert run(["db", "upgrade"], env).returncode == 0
    return env


def test_user_and_token_lifecycle(env: dict[str, str]) -> None:
    created = run(
        ["user", "create", "Anna", "--role", "designer", "--password-stdin"], env, input="a long enough password\n"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "created anna (designer)"
    again = run(
        ["user", "create", "anna", "--role", "admin", "--password-stdin"], env, input="a long enough password\n"
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    short = run(["user", "create", "bo", "--role", "admin", "--password-stdin"], env, input="short\n")
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    bad_role = run(["user", "create", "bo", "--role", "boss", "--password-stdin"], env, input="x" * 20 + "\n")
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr

    assert run(["user", "set-role", "anna", "analyst"], env).stdout.strip() == "anna is now analyst"
    token = run(["token", "create", "anna", "--name", "nightly export"], env)
    assert token.returncode == 0
    secret = token.stdout.strip()
    assert secret.startswith("sst_") and len(secret) > 40
    assert "shown only now" in token.stderr
    listed = run(["token", "list", "anna"], env).stdout
    assert "nightly export\tactive" in listed and secret not in listed
    token_id = listed.split("\t")[0]
    assert run(["token", "revoke", token_id], env).stdout.strip() == f"token {token_id} revoked"
    assert "revoked" in run(["token", "list"], env).stdout

    assert run(["user", "deactivate", "anna"], env).stdout.strip() == "anna deactivated"
    assert run(["user", "list"], env).stdout.strip() == "anna\tanalyst\tdeactivated"
    refused = run(["token", "create", "anna"], env)
    assert refused.returncode == 1 and "deactivated" in refused.stderr


def test_questionnaire_import_export_and_wave_from_the_command_line(env: dict[str, str], tmp_path: Path) -> None:
    from survey_service.questionnaire.loader import load
    from survey_service.questionnaire.schema import canonical_json
    from survey_service.questionnaire.xlsform import from_xlsform
    from tests.helpers import TEST_QUESTIONNAIRES
    from tests.xlsform_forms import workbook

    folder = str(TEST_QUESTIONNAIRES / "mini")
    first = run(["questionnaire", "import", folder], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "mini: version 1 created (draft)"
    published = run(["questionnaire", "import", folder, "--publish"], env)
    assert published.stdout.strip() == "mini: version 1 published (published)"
    again = run(["questionnaire", "import", folder, "--publish"], env)
    assert again.returncode == 0 and again.stdout.strip() == "mini: identical to version 1 (published); nothing changed"

    out = tmp_path / "mini.xlsx"
    exported = run(["questionnaire", "export", "mini@1", "--output", str(out)], env)
    assert exported.returncode == 0 and exported.stdout.strip() == f"mini@1 written to {out}"
    assert canonical_json(from_xlsform(out.read_bytes())) == canonical_json(load(folder))
    same = run(["questionnaire", "import", str(out)], env)
    assert same.stdout.strip().splitlines()[-1] == "mini: identical to version 1 (published); nothing changed"
    assert same.stdout.startswith("languages: fi (Suomi (fi)), en (English (en))\nsection: Mielipiteet: 4\n")
    kobo = tmp_path / "kobo_hello.xlsx"
    kobo.write_bytes(
        workbook([["type", "name", "label", "label::Klingon"], ["start", "start"], ["text", "hi", "Hi?", "nuqneH?"]])
    )
    unnamed = run(["questionnaire", "import", str(kobo)], env)
    assert unnamed.returncode == 1 and "name the language of the 'label' column" in unnamed.stderr
    named = run(["questionnaire", "import", str(kobo), "--language", "en", "--language-code", "Klingon=tlh"], env)
    assert named.returncode == 0, named.stderr
    assert named.stdout.splitlines() == [
        "languages: en (label), tlh (Klingon)",
        "section: Kobo hello: 1 (questions outside any group)",
        "skipped: sheet survey, row 2: start",
        "limit: sheet survey, row 3: hi takes at most 1000 characters (set string-length(.) <= N in constraint to "
        "change it)",
        "kobo-hello: version 1 created (draft)",
    ]
    missing = run(["questionnaire", "export", "nope", "--output", str(out)], env)
    assert missing.returncode == 1 and "no questionnaire 'nope'" in missing.stderr

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (TEST_QUESTIONNAIRES / "mini" / "questionnaire.yaml").read_text().replace("code: GETON\n", "code: 1GETON\n")
    )
    refused = run(["questionnaire", "import", str(bad)], env)
    assert refused.returncode == 1 and "nothing was stored" in refused.stderr

    created = run(
        ["survey", "create", "mini-2026", "--questionnaire", "mini@1", "--year", "2026", "--access", "invitation",
         "--closes", "2099-12-31", "--title", "en=Our survey"],
        env,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "survey mini-2026: created (mini@1, invitation, open now)"
    later = run(
        ["survey", "create", "later", "--questionnaire", "mini", "--year", "2027", "--opens", "2099-01-01"], env
    )
    assert later.stdout.strip() == "survey later: created (mini@1, open, opens 2099-01-01)"
    no_plan = run(["survey", "create", "x-2026", "--questionnaire", "mini", "--year", "2026", "--plan", "nope"], env)
    assert no_plan.returncode == 1 and "no plan 'nope'" in no_plan.stderr
    assert run(["survey", "close", "mini-2026"], env).stdout.strip() == "survey mini-2026: closed"
    listed = run(["survey", "list"], env).stdout.splitlines()
    assert listed == ["later\tmini@1\t2027\topen\topen", "mini-2026\tmini@1\t2026\tinvitation\tclosed"]
    assert run(["survey", "reopen", "mini-2026"], env).stdout.strip() == "survey mini-2026: open"
