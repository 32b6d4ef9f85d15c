"""WeasyPrint imported through leafpub.pdf loads the same system libraries as a plain import."""

import subprocess
import sys

REPORT = """
{imports}
import ctypes.util
from weasyprint.text import ffi
libraries = sorted({{line.split()[-1] for line in open("/proc/self/maps")
                    if any(name in line for name in ("libpango", "libharfbuzz", "libfontconfig",
                                                      "libgobject", "libglib"))}})
print(ffi.harfbuzz_subset is not None)
print(ctypes.util.find_library.__name__)
print("\\n".join(libraries))
"""


def loaded(imports: str) -> list[str]:
    finished = subprocess.run([sys.executable, "-c", REPORT.format(imports=imports)], check=True,
                              capture_output=True, text=True)
    return finished.stdout.splitlines()


def test_the_same_libraries_load_as_with_a_plain_import():
    plain, ours = loaded("import weasyprint"), loaded("import leafpub.pdf")
    assert ours == plain
    subsetting, find_library, *libraries = ours
    assert subsetting == "True"  # without HarfBuzz subsetting, renders are 4x slower
    assert find_library == "find_library"  # ctypes is left as it was
    assert any("libharfbuzz-subset.so" in path for path in libraries)
    assert any("libpango-1.0.so" in path for path in libraries)
