"""scripts/build-simulator.sh: the simulator that ships in dist/ and the .deb is built with the C
compiler so that it loads without the Swift runtime, and exports what the SwiftPM product does."""
import os
import subprocess

import pytest

from deploy_support import REPOSITORY, require_tool, simulator_library


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_tool("readelf")
    out = tmp_path_factory.mktemp("simulator") / "libaxcl_rt.so"
    result = subprocess.run([str(REPOSITORY / "scripts/build-simulator.sh")], env=dict(os.environ, OUT=str(out)),
                            capture_output=True, text=True)
    if result.returncode != 0 and "no C compiler" in result.stderr:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, result.stderr
    return out


def dynamic_section(path):
    return subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout


def exported(path):
    listing = subprocess.run(["nm", "-D", "--defined-only", str(path)], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in listing.splitlines() if line.split()[-1].startswith(("axcl", "axsim"))}


def test_simulator_needs_only_the_c_library_and_has_the_vendor_soname(built):
    section = dynamic_section(built)
    needed = [line.split("[")[1].rstrip("]") for line in section.splitlines() if "(NEEDED)" in line]
    assert not [name for name in needed if "swift" in name.lower()], needed
    assert "Library soname: [libaxcl_rt.so]" in section


def test_simulator_exports_what_the_swiftpm_product_exports(built):
    require_tool("nm")
    reference = simulator_library()
    if reference is None:
        pytest.skip("the SwiftPM-built simulator is not there to compare with (run swift build)")
    symbols = exported(built)
    assert "axclrtEngineExecute" in symbols and "axsim_reset" in symbols
    assert symbols == exported(reference)
