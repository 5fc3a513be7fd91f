"""RunningServer: the real `modelhost serve` binary in a temporary data directory.

The binary comes from the MODELHOST_BINARY environment variable (CTest sets
it); test data from MODELHOST_TEST_DATA (default: the repository's tests/data).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import unittest
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_DATA = os.environ.get("MODELHOST_TEST_DATA", os.path.join(HERE, "..", "..", "..", "tests", "data"))
PIMA = os.path.join(TEST_DATA, "pima_indians_diabetes.csv")
PIMA_COLUMNS = ["pregnant", "glucose", "pressure", "triceps", "insulin", "mass", "pedigree", "age", "diabetes"]
STANDARDIZE = {"steps": [{"op": "standardize", "columns": "numeric"}]}


def binary() -> str:
    path = os.environ.get("MODELHOST_BINARY")
    if not path or not os.access(path, os.X_OK):
        raise unittest.SkipTest("MODELHOST_BINARY is not set to the built modelhost binary (CTest sets it)")
    return path


class RunningServer:
    """Starts `modelhost serve --port 0` and reads the port it printed and its admin key.

    Use as a context manager, or call stop(). The data directory is removed on stop.
    """

    def __init__(self, extra_args: Optional[List[str]] = None) -> None:
        self.root = tempfile.mkdtemp(prefix="modelhost-pyclient-")
        self.data_dir = os.path.join(self.root, "data")
        self._stderr = open(os.path.join(self.root, "stderr.log"), "w+b")
        args = [binary(), "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", self.data_dir]
        self.process = subprocess.Popen(
            args + (extra_args or []), stdout=subprocess.PIPE, stderr=self._stderr, text=True
        )
        marker = "listening on http://127.0.0.1:"
        for line in self.process.stdout:  # the server prints this line once it accepts connections
            if marker in line:
                self.port = int(line.split(marker, 1)[1].strip().rstrip("/"))
                break
        else:
            self.stop()
            raise RuntimeError("modelhost serve exited before listening: " + self.stderr_text())
        # Drain whatever else it prints, so a full pipe never blocks it.
        self._drain = threading.Thread(target=self.process.stdout.read, daemon=True)
        self._drain.start()
        self.url = f"http://127.0.0.1:{self.port}"
        key_path = os.path.join(self.data_dir, "admin.key")
        self.admin_key: Optional[str] = None
        if os.path.exists(key_path):
            with open(key_path) as file:
                self.admin_key = file.read().strip()

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_drain", None) is not None:
            self._drain.join(timeout=10)
        self.process.stdout.close()
        self._stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
