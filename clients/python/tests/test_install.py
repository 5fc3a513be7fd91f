"""`pip install` of the package into a fresh virtual environment, offline, and
the installed copy talking to the real server from outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

from server import RunningServer

PACKAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def venv_unavailable() -> str:
    """Why a virtual environment with pip cannot be made here, or ""."""
    try:
        import ensurepip  # noqa: F401  (Debian ships it in python3-venv)
        import venv  # noqa: F401
    except ImportError as error:
        return f"python3 -m venv with pip is unavailable ({error}); install python3-venv"
    try:
        import setuptools  # the build backend, used without network
    except ImportError:
        return "setuptools is unavailable for an offline build; install python3-setuptools"
    # setuptools before 70.1 builds wheels with the separate `wheel` package.
    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    if (major, minor) < (70, 1):
        try:
            import wheel  # noqa: F401
        except ImportError:
            return f"setuptools {setuptools.__version__} needs the wheel package offline; install python3-wheel"
    return ""


@unittest.skipIf(venv_unavailable(), venv_unavailable())
class InstallTest(unittest.TestCase):
    def test_pip_installs_the_package_without_dependencies_and_it_works(self) -> None:
        root = tempfile.mkdtemp(prefix="modelhost-pyclient-install-")
        self.addCleanup(shutil.rmtree, root, True)
        # Built from a copy, so the build leaves nothing in the source tree.
        source = os.path.join(root, "source")
        shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
        environment = os.path.join(root, "venv")
        # System site packages supply setuptools to build with, offline;
        # what pip installs goes into the fresh environment.
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", environment], check=True)
        python = os.path.join(environment, "bin", "python")
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--no-index", "--no-build-isolation", source],
            check=True, cwd=root, env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"),
        )
        with RunningServer() as server:
            script = textwrap.dedent(f"""
                import importlib.metadata, modelhost
                from modelhost.keras import Sequential, Dense
                print(modelhost.__file__)
                print(importlib.metadata.requires("modelhost") or [])
                client = modelhost.Client({server.url!r}, {server.admin_key!r})
                print(client.datasets.upload([[1, 2]], name="installed", columns=["a", "b"])["rows"])
            """)
            environ = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
            result = subprocess.run([python, "-c", script], cwd=root, env=environ, capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        location, requires, rows = result.stdout.splitlines()
        self.assertTrue(location.startswith(environment), location)
        self.assertEqual(requires, "[]")
        self.assertEqual(rows, "1")


if __name__ == "__main__":
    unittest.main()
