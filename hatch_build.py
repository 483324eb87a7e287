"""Hatchling build hook: compiles the n-gram model's C scoring loop
(``src/satark/classifiers/_ngrams.c``) next to its Python module.

Optional by design: where no C compiler is available the build goes on, and Satark
uses the numpy code that the C loop mirrors (same results, slower). Set
``SATARK_NO_EXTENSIONS=1`` to build without it.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MODULE = "satark.classifiers._ngrams"
SOURCE = "src/satark/classifiers/_ngrams.c"


def compile_extension(root: Path) -> Path | None:
    """Build the extension in place under ``src/``; its path, or ``None`` if it could not be built."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    unix = os.name == "posix"
    ext = Extension(MODULE, [SOURCE], extra_compile_args=["-O3", "-std=c11"] if unix else [],
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
    except Exception as exc:  # any failure leaves the numpy path
        print(f"satark: the C scoring loop was not built ({exc}); the numpy code will be used", file=sys.stderr)
        return None
    finally:
        os.chdir(cwd)
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    built = root / "src" / Path(*MODULE.split(".")).with_suffix("").parent / f"_ngrams{suffix}"
    return built if built.exists() else None


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("SATARK_NO_EXTENSIONS"):
            return
        built = compile_extension(Path(self.root))
        if built is None:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":  # an editable install imports it from src/ in place
            build_data["force_include"][str(built)] = f"satark/classifiers/{built.name}"
