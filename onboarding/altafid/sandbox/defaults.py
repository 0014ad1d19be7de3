"""Identities the sandbox knows out of the box; the embedded default settings use them."""

TENANT_UUID = "T0198DDA7B8EC7B6D9E12734DA8657106"
SERVICE_USER_EMAIL = "service@sandbox.altafid.test"
SERVICE_USER_ID = "PS0199CA8F08C270B5A5B0DFD3B565B332"
SERVICE_USER_PASSWORD = "sandbox-password"  # noqa: S105 - a public sandbox credential
STATIC_TOKEN = "sandbox-static-token"  # noqa: S105 - a public sandbox credential
DEFAULT_PORT = 8001
