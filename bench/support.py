"""Small helpers the benchmarks share; importing this module changes nothing."""

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_ensure(url: str) -> None:
    """Creates the PostgreSQL database the URL names, if it does not exist yet."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def sandbox_environment(port: int) -> None:
    """Points the settings at a local sandbox explicitly: production settings refuse to fall
    back to it on their own."""
    import os

    from onboarding.altafid.sandbox import defaults

    os.environ["ALTAFID_SANDBOX_PORT"] = str(port)
    os.environ["ALTAFID_BASE_URL"] = f"http://127.0.0.1:{port}"
    os.environ["ALTAFID_LOGIN_EMAIL"] = defaults.SERVICE_USER_EMAIL
    os.environ["ALTAFID_LOGIN_PASSWORD"] = defaults.SERVICE_USER_PASSWORD
    os.environ["ALTAFID_TENANT_UUID"] = defaults.TENANT_UUID
    os.environ["ALTAFID_USER_EMAIL"] = defaults.SERVICE_USER_EMAIL
    os.environ["ALTAFID_USER_ID"] = defaults.SERVICE_USER_ID
