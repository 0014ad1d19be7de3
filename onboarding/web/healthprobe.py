"""The container's health check: `/healthz` over plain HTTP from inside the web container.

Production settings stay as they are: `/healthz` is exempt from the HTTPS redirect
(SECURE_REDIRECT_EXEMPT), and the probe names the first of ALLOWED_HOSTS in its Host header,
so host validation keeps answering 400 to any other name. Standalone (no Django import): it
runs every few seconds.
"""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - a fixed URL
        sys.exit(0 if response.status == 200 else 1)
except OSError as error:
    print(f"healthz: {error}", file=sys.stderr)
    sys.exit(1)
