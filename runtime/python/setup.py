"""A platform wheel from pure-Python sources: the package carries libedgelstm.so (a native library loaded with
ctypes, not a CPython extension), so the wheel is tagged py3-none-<platform>, where <platform> comes from
$EDGELSTM_WHEEL_PLATFORM (set by build_wheel.sh from the library's ELF machine and the newest glibc symbol version
it needs). Everything else is in pyproject.toml."""
import os

from setuptools import setup
from setuptools.dist import Distribution
from wheel.bdist_wheel import bdist_wheel


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True  # a native library inside: platlib, Root-Is-Purelib false


class PlatformWheel(bdist_wheel):
    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        platform = os.environ.get("EDGELSTM_WHEEL_PLATFORM")
        if not platform:
            raise SystemExit("set EDGELSTM_WHEEL_PLATFORM (e.g. manylinux_2_34_x86_64): build with build_wheel.sh")
        return "py3", "none", platform


setup(distclass=BinaryDistribution, cmdclass={"bdist_wheel": PlatformWheel})
