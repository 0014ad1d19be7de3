import os
import re
import runpy
import secrets
import subprocess
import sys
from ipaddress import ip_network

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from onboarding import env

SETTINGS_FILE = str(settings.BASE_DIR / "onboarding" / "settings.py")

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "onboarding.example.com",
    "FIELD_ENCRYPTION_KEYS": "c2V0dGluZ3MtdGVzdC1rZXktMzItYnl0ZXMtbG9uZyE=",
    "SEARCH_HASH_KEY": "a-search-hash-key-of-at-least-32-characters",
    "DATABASE_URL": "postgres://onboarding:secret@127.0.0.1:5432/onboarding",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALTAFID_BASE_URL": "https://api.altafid.example",
    "ALTAFID_TOKEN": "a-token",
    "ALTAFID_TENANT_UUID": "T0198DDA7B8EC7B6D9E12734DA8657106",
    "ALTAFID_USER_EMAIL": "integration@altafid.example",
    "ALTAFID_USER_ID": "PS0199CA8F08C270B5A5B0DFD3B565B332",
    "EMAIL_HOST": "smtp.example.com",
}


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(
            (
                "ALTAFID_",
                "DATABASE_URL",
                "REDIS_URL",
                "SECRET_KEY",
                "DEBUG",
                "FIELD_",
                "SEARCH_",
                "EMAIL_",
                "ALLOWED_HOSTS",
                "TWO_FACTOR_",
            )
        ):
            monkeypatch.delenv(name)
    return monkeypatch


def _load_settings() -> dict:
    return runpy.run_path(SETTINGS_FILE)


def test_it_passes_the_deployment_checklist_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **PRODUCTION_ENV,
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_runs_the_embedded_default_when_debug_is_asked_for(clean_env):
    clean_env.setenv("DEBUG", "true")

    loaded = _load_settings()

    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["CELERY_BROKER_URL"] == "filesystem://"
    assert loaded["CACHES"]["default"]["BACKEND"].endswith("FileBasedCache")
    assert loaded["ALTAFID_USES_SANDBOX"] is True
    assert loaded["ALTAFID_BASE_URL"] == "http://127.0.0.1:8001"


def test_it_uses_postgres_and_redis_in_production(clean_env):
    for name, value in PRODUCTION_ENV.items():
        clean_env.setenv(name, value)

    loaded = _load_settings()

    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["CELERY_BROKER_URL"] == PRODUCTION_ENV["REDIS_URL"]
    assert loaded["CELERY_BROKER_TRANSPORT"] == "onboarding.core.broker:Transport"
    assert loaded["CELERY_BROKER_TRANSPORT_OPTIONS"] == {"ack_emulation": False}
    assert loaded["CACHES"]["default"]["LOCATION"] == PRODUCTION_ENV["REDIS_URL"]
    assert loaded["ALTAFID_USES_SANDBOX"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is True


def test_it_takes_the_database_password_apart_from_the_url(clean_env):
    for name, value in PRODUCTION_ENV.items():
        clean_env.setenv(name, value)
    clean_env.setenv("DATABASE_URL", "postgres://onboarding@db:5432/onboarding")
    clean_env.setenv("DATABASE_PASSWORD", "p@ss:w/rd#%?")

    database = _load_settings()["DATABASES"]["default"]

    assert (database["USER"], database["HOST"], database["NAME"]) == (
        "onboarding",
        "db",
        "onboarding",
    )
    assert database["PASSWORD"] == "p@ss:w/rd#%?"


def test_it_believes_only_gunicorn_on_the_scheme_and_answers_health_checks_in_plain_http(
    clean_env,
):
    """X-Forwarded-Proto counts only from the proxy, which gunicorn alone can tell (its
    forwarded_allow_ips): Django's own setting would believe any peer."""
    for name, value in PRODUCTION_ENV.items():
        clean_env.setenv(name, value)

    loaded = _load_settings()

    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert "SECURE_PROXY_SSL_HEADER" not in loaded
    assert [re.compile(rule).search("healthz") for rule in loaded["SECURE_REDIRECT_EXEMPT"]]
    assert not any(re.compile(rule).search("login/") for rule in loaded["SECURE_REDIRECT_EXEMPT"])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "mysql://nope"),
        ("REDIS_URL", "http://not-redis"),
        ("ALTAFID_BASE_URL", "ftp://altafid"),
        ("ALTAFID_READ_TIMEOUT", "soon"),
        ("ALTAFID_CONNECT_TIMEOUT", "0"),
        ("ALTAFID_USER_TYPE", "ROBOT"),
        ("LOOKUPS_TTL_SECONDS", "-5"),
        ("CELERY_TASK_TIME_LIMIT", "10"),
        ("SECRET_KEY", "short"),
        ("FIELD_ENCRYPTION_KEYS", "not-a-fernet-key"),
        ("SEARCH_HASH_KEY", "short"),
        ("EMAIL_DISABLED", "perhaps"),
        ("FORWARDED_ALLOW_IPS", "*"),
        ("FORWARDED_ALLOW_IPS", "172.29.254.14, the-proxy"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value_and_names_it(clean_env, name, value):
    if name != "DEBUG":
        clean_env.setenv("DEBUG", "true")
    clean_env.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=name):
        _load_settings()


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "ALTAFID_TOKEN",
        "ALTAFID_USER_ID",
        "FIELD_ENCRYPTION_KEYS",
        "SEARCH_HASH_KEY",
        "EMAIL_HOST",
    ],
)
def test_it_refuses_to_start_production_without_a_required_value(clean_env, missing):
    for name, value in PRODUCTION_ENV.items():
        clean_env.setenv(name, value)
    clean_env.delenv(missing)

    with pytest.raises(ImproperlyConfigured, match=missing):
        _load_settings()


def test_it_fails_closed_with_no_variables(clean_env):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        _load_settings()


@pytest.mark.parametrize(
    ("name", "development_value"),
    [
        ("SECRET_KEY", "django-insecure-embedded-default-only-never-use-in-production"),
        ("FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHkta2V5LWZvci1lbWJlZGRlZC1ydW5zLTE="),
        ("SEARCH_HASH_KEY", "dev-only-search-hash-key-for-embedded-runs"),
    ],
)
def test_it_refuses_the_repositorys_development_keys_in_production(
    clean_env, name, development_value
):
    for variable, value in PRODUCTION_ENV.items():
        clean_env.setenv(variable, value)
    clean_env.setenv(name, development_value)

    with pytest.raises(ImproperlyConfigured, match=f"{name} must not"):
        _load_settings()


def test_it_never_falls_back_to_the_sandbox_in_production(clean_env):
    for variable, value in PRODUCTION_ENV.items():
        clean_env.setenv(variable, value)
    clean_env.delenv("ALTAFID_BASE_URL")

    with pytest.raises(ImproperlyConfigured, match="ALTAFID_BASE_URL must be set"):
        _load_settings()


def test_it_reads_debug_as_off_when_it_is_unset(clean_env):
    for variable, value in PRODUCTION_ENV.items():
        if variable != "DEBUG":
            clean_env.setenv(variable, value)

    loaded = _load_settings()

    assert loaded["DEBUG"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is True


def _production(monkeypatch, **changes):
    for name, value in {**PRODUCTION_ENV, **changes}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_it_refuses_to_print_e_mail_in_production(clean_env):
    _production(clean_env, EMAIL_HOST=None)

    with pytest.raises(ImproperlyConfigured, match=r"EMAIL_HOST must be set .*EMAIL_DISABLED"):
        _load_settings()


def test_it_sends_e_mail_by_smtp_in_production(clean_env):
    _production(clean_env, EMAIL_PORT="2525")

    loaded = _load_settings()

    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["EMAIL_HOST"], loaded["EMAIL_PORT"]) == ("smtp.example.com", 2525)
    assert loaded["EMAIL_DISABLED"] is False


def test_it_sends_and_prints_nothing_when_e_mail_is_disabled(clean_env):
    _production(clean_env, EMAIL_HOST=None, EMAIL_DISABLED="true")

    loaded = _load_settings()
    # The backend as the app uses it, in a process of its own: nothing may reach its output.
    sent = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.core.mail import send_mail; django.setup(); "
            "print(send_mail('Choose a password', 'https://x.example/invitation/MQ/tok-en/', "
            "None, ['someone@example.com']))",
        ],
        cwd=settings.BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert loaded["EMAIL_DISABLED"] is True
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.dummy.EmailBackend"
    assert sent.stdout == "1\n"
    assert "invitation" not in sent.stderr


def test_it_refuses_an_smtp_host_with_e_mail_disabled(clean_env):
    _production(clean_env, EMAIL_DISABLED="true")

    with pytest.raises(ImproperlyConfigured, match="EMAIL_DISABLED"):
        _load_settings()


def test_it_prints_e_mail_to_the_console_only_in_debug(clean_env):
    clean_env.setenv("DEBUG", "true")

    loaded = _load_settings()

    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.parametrize(
    ("reader", "raw", "expected"),
    [
        (lambda: env.env_bool("X_FLAG", False), "yes", True),
        (lambda: env.env_bool("X_FLAG", True), "off", False),
        (lambda: env.env_bool("X_FLAG", True), None, True),
        (lambda: env.env_int("X_NUMBER", 3), "42", 42),
        (lambda: env.env_float("X_NUMBER", 1.5), "2.25", 2.25),
        (lambda: env.env_list("X_LIST", ["a"]), "b, c,,", ["b", "c"]),
        (
            lambda: env.env_networks("X_LIST", ["::1"]),
            "172.29.254.14, 10.0.0.0/8",
            (ip_network("172.29.254.14/32"), ip_network("10.0.0.0/8")),
        ),
        (lambda: env.env_networks("X_LIST", ["::1"]), None, (ip_network("::1/128"),)),
        (lambda: env.env_str("X_TEXT", "default"), "  ", "default"),
        (
            lambda: env.env_url("X_URL", schemes=("https",)),
            "https://a.example/",
            "https://a.example",
        ),
    ],
)
def test_it_reads_typed_values(monkeypatch, reader, raw, expected):
    for name in ("X_FLAG", "X_NUMBER", "X_LIST", "X_TEXT", "X_URL"):
        monkeypatch.delenv(name, raising=False)
        if raw is not None:
            monkeypatch.setenv(name, raw)

    assert reader() == expected


def test_it_does_not_echo_a_bad_url_that_may_hold_a_password(monkeypatch):
    monkeypatch.setenv("X_URL", "mysql://user:hunter2@db")

    with pytest.raises(ImproperlyConfigured) as raised:
        env.env_url("X_URL", schemes=("postgres",))

    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize("hosts", ["*", "onboarding.example.com, *"])
def test_it_refuses_a_wildcard_host_in_production(clean_env, hosts):
    for variable, value in PRODUCTION_ENV.items():
        clean_env.setenv(variable, value)
    clean_env.setenv("ALLOWED_HOSTS", hosts)

    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS must name"):
        _load_settings()


@pytest.mark.parametrize("url", ["http://altafid.internal:8080", "HTTP://altafid.internal:8080"])
def test_it_refuses_plain_http_to_altafid_in_production_unless_allowed(clean_env, url):
    for variable, value in PRODUCTION_ENV.items():
        clean_env.setenv(variable, value)
    clean_env.setenv("ALTAFID_BASE_URL", url)

    with pytest.raises(ImproperlyConfigured, match="ALTAFID_ALLOW_HTTP"):
        _load_settings()

    clean_env.setenv("ALTAFID_ALLOW_HTTP", "true")
    assert _load_settings()["ALTAFID_BASE_URL"] == url


def test_it_refuses_to_turn_two_factor_off_in_production_without_accepting_the_risk(clean_env):
    for variable, value in PRODUCTION_ENV.items():
        clean_env.setenv(variable, value)
    clean_env.setenv("TWO_FACTOR_REQUIRED", "false")

    with pytest.raises(ImproperlyConfigured, match="TWO_FACTOR_NOT_REQUIRED_I_ACCEPT_THE_RISK"):
        _load_settings()

    clean_env.setenv("TWO_FACTOR_NOT_REQUIRED_I_ACCEPT_THE_RISK", "true")
    assert _load_settings()["TWO_FACTOR_REQUIRED"] is False


def test_it_leaves_development_free_of_the_production_rules(clean_env):
    clean_env.setenv("DEBUG", "true")
    clean_env.setenv("ALLOWED_HOSTS", "*")
    clean_env.setenv("TWO_FACTOR_REQUIRED", "false")

    loaded = _load_settings()

    assert loaded["ALLOWED_HOSTS"] == ["*"]
    assert loaded["ALTAFID_BASE_URL"].startswith("http://")
    assert loaded["TWO_FACTOR_REQUIRED"] is False


def test_it_starts_the_compose_stack_with_its_defaults(clean_env):
    """docker-compose.yml's own defaults meet the production rules (the sandbox over http),
    once the person starting the stack gives the mandatory values."""
    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    block = compose.split("  environment:\n", 1)[1].split("\n  depends_on:", 1)[0]
    variables = dict(re.findall(r"^    ([A-Z_]+): (.*)$", block, flags=re.MULTILINE))
    given = {
        **{name: PRODUCTION_ENV[name] for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS")},
        "SEARCH_HASH_KEY": PRODUCTION_ENV["SEARCH_HASH_KEY"],
        "ALLOWED_HOSTS": "onboarding.example.com",
        "POSTGRES_PASSWORD": "a password",
    }
    mandatory = set()
    for name, value in variables.items():
        for variable in re.findall(r"\$\{([A-Z_]+):\?[^}]*\}", value):
            mandatory.add(variable)
            value = given[variable]
        clean_env.setenv(name, re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value).strip('"'))
    # And its choice of no e-mail.
    clean_env.setenv("EMAIL_DISABLED", "true")

    loaded = _load_settings()

    assert mandatory == set(given)
    assert loaded["DEBUG"] is False
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["DATABASES"]["default"]["PASSWORD"] == "a password"
    assert loaded["ALTAFID_BASE_URL"] == "http://sandbox:8001"
    assert loaded["TWO_FACTOR_REQUIRED"] is True


@pytest.mark.parametrize(
    ("value", "bound", "prepared_from"), [(None, True, 5), ("false", False, None)]
)
def test_it_lets_postgresql_bind_the_parameters_unless_told_not_to(
    clean_env, value, bound, prepared_from
):
    for name, setting in PRODUCTION_ENV.items():
        clean_env.setenv(name, setting)
    clean_env.delenv("DB_SERVER_SIDE_BINDING", raising=False)
    if value is not None:
        clean_env.setenv("DB_SERVER_SIDE_BINDING", value)

    database = _load_settings()["DATABASES"]["default"]

    assert database["OPTIONS"]["server_side_binding"] is bound
    assert database["OPTIONS"]["prepare_threshold"] == prepared_from


@pytest.mark.django_db
def test_it_runs_the_tests_with_parameters_bound_and_statements_prepared_by_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        assert type(cursor.cursor).__name__ == "ServerBindingCursor"
        for _ in range(6):
            cursor.execute("SELECT 1 WHERE 1 = %s", [1])
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT 1 WHERE 1 = $1%"],
        )
        assert cursor.fetchone() == (1,)
