"""Fuzzing every operation of the app's OpenAPI schema (schemathesis) against a running server, with an
admin's bearer token so staff operations are reached too: no 5xx, and responses conform to the schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.live import cli, prepare, service_env, serving


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite+aiosqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'fuzz.db'}"
    env = service_env(url)
    prepare(env)
    cli(env, "user", "create", "fuzzer", "--role", "admin", "--password-stdin", stdin="fuzzing password 123\n")
    token = cli(env, "token", "create", "fuzzer").strip().split()[-1]
    with serving(env) as base:
        yield base, token


@pytest.mark.slow
def test_no_operation_answers_with_a_server_error_or_off_schema(live: tuple[str, str]) -> None:
    base, token = live
    schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json")
    failures: list[str] = []
    tried: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tried.append(operation.label)

        @given(case=operation.as_strategy())
        # Deterministic examples in CI (a fixed seed per operation): a failure always reproduces.
        @settings(
            max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=base,
                headers={"Authorization": f"Bearer {token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure, report them together
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert len(tried) >= 30, tried  # every API operation of the schema was exercised
    assert not failures, "\n\n".join(failures)
