"""Build hook: the wheel carries the top-level resources/ and plugins/ folders.

They are copied into ``desktop/_bundled/`` of the built package, where
``desktop.core.assets`` looks for them when Hearth runs from an installed wheel.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithAssets(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install finds them in the checkout itself
        for folder in ("resources", "plugins"):
            target = Path(self.build_lib) / "desktop" / "_bundled" / folder
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(ROOT / folder, target, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithAssets})
