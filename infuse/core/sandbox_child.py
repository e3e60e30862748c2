"""The child side of :mod:`infuse.core.sandbox`: ``python -m infuse.core.sandbox_child TARGET``.

Runs in the sandbox's private directory under its limits: reads ``payload.json``, calls the
target function, and leaves ``result.bin`` (success) or ``refusal.json`` (a refusal, exit 3).
Anything else (a crash, an overrun) the parent reads from the exit status.
"""

from __future__ import annotations

import errno
import importlib
import json
import sys
from pathlib import Path

from infuse.core import collector
from infuse.core.sandbox import PAYLOAD, REFUSAL, RESULT


def _refuse(
    key: str, message: str, params: dict[str, object], problems: list[object] | None = None
) -> int:
    said = {"key": key, "message": message, "params": params, "problems": problems or []}
    text = json.dumps(said, default=str)  # what JSON cannot hold, as its text
    Path(REFUSAL).write_text(text, encoding="utf-8")
    return 3


def main(target: str) -> int:
    module_name, _, function_name = target.partition(":")
    with collector.loading():
        function = getattr(importlib.import_module(module_name), function_name)
    payload = json.loads(Path(PAYLOAD).read_text(encoding="utf-8"))
    try:
        result = function(payload, Path.cwd())
    except MemoryError:
        return _refuse("sandbox.memory", "Stopped: it used too much memory.", {})
    except Exception as error:  # every refusal and failure is said in the file, not raised
        key = getattr(error, "key", "sandbox.failed")
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        params = getattr(error, "params", {"detail": detail})
        problems = list(getattr(error, "problems", []))[:100]
        return _refuse(key, str(error), params, problems)
    try:
        Path(RESULT).write_bytes(result)
    except OSError as error:
        if error.errno != errno.EFBIG:  # over RLIMIT_FSIZE (Python ignores SIGXFSZ)
            raise
        Path(RESULT).unlink(missing_ok=True)
        return _refuse("sandbox.too-large", "The result is too large.", {})
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1])
    collector.before_exit()
    sys.exit(code)
