"""Schemathesis hooks for tests/service/test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

- The fuzzer revokes tokens (``DELETE /api/v1/tokens/{token_id}``) as it explores, its own
  among them, and every later request would then be a 401 that tests nothing. So the
  administrator's token comes from an auth provider: Schemathesis asks it for a fresh one
  whenever a request is answered 401, and it makes one with ``satark admin create-token`` on
  the served data (this process has the server's environment).
- Schemathesis writes a JSON integer as a whole float (``143.0``) only where it stays JSON,
  in a body: in a URL ``143.0`` is another text than ``143``, and the API refuses it (an id
  in a URL is digits). Values it reuses from earlier requests can still carry the float into
  a path or a query; ``before_call`` writes them as the integers they are.
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

import schemathesis


@schemathesis.auth(refresh_interval=24 * 3600)
class AdminToken:
    def get(self, case: Any, context: Any) -> str:
        made = subprocess.run([os.environ["SATARK_FUZZ_COMMAND"], "admin", "create-token", "admin", "--name", "fuzz"],
                              capture_output=True, text=True, timeout=120, check=True)
        return made.stdout.strip().split()[-1]

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    for container in (case.path_parameters, case.query):
        for name, value in list((container or {}).items()):
            if isinstance(value, float) and value.is_integer():
                container[name] = int(value)
