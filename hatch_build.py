"""Hatchling build hook: compiles Satark's optional C modules next to their Python ones.

- ``src/satark/classifiers/_ngrams.c``: the n-gram model's scoring loop;
- ``src/satark/_textpass.c``: the ``key`` view's folding, the split into words and the
  lexicon's first probe.

Optional by design: where no C compiler is available the build goes on, and Satark
uses the Python and numpy code that the C mirrors (same results, slower). Set
``SATARK_NO_EXTENSIONS=1`` to build without them.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: module name -> its C source
MODULES = {
    "satark.classifiers._ngrams": "src/satark/classifiers/_ngrams.c",
    "satark._textpass": "src/satark/_textpass.c",
}


def compile_extension(root: Path, module: str, source: str) -> Path | None:
    """Build one extension in place under ``src/``; its path, or ``None`` if it could not be built."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    unix = os.name == "posix"
    ext = Extension(module, [source], extra_compile_args=["-O3", "-std=c11"] if unix else [],
                    libraries=["m"] if unix else [])
    dist = Distribution({"name": "satark", "ext_modules": [ext], "package_dir": {"": "src"}})
    cmd = build_ext(dist)
    cmd.inplace = True
    cmd.build_temp = str(root / "build" / "temp")
    cwd = Path.cwd()
    try:
        os.chdir(root)
        cmd.ensure_finalized()
        cmd.run()
    except Exception as exc:  # any failure leaves the Python path
        print(f"satark: {source} was not built ({exc}); the Python code will be used", file=sys.stderr)
        return None
    finally:
        os.chdir(cwd)
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    *package, name = module.split(".")
    built = root / "src" / Path(*package) / f"{name}{suffix}"
    return built if built.exists() else None


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("SATARK_NO_EXTENSIONS"):
            return
        for module, source in MODULES.items():
            built = compile_extension(Path(self.root), module, source)
            if built is None:
                continue
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            if version != "editable":  # an editable install imports it from src/ in place
                target = Path(*module.split(".")).parent / built.name
                build_data["force_include"][str(built)] = target.as_posix()
