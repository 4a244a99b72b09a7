"""Fixtures of the deployment tests; each skips with a reason when a build it needs is missing."""
import pytest

from deploy_support import release_binary, simulator_library


@pytest.fixture(scope="session")
def binary():
    path = release_binary()
    if path is None:
        pytest.skip("no release build of axllama: run `swift build -c release --product axllama` or set AXLLAMA_BINARY")
    return path


@pytest.fixture
def dist(tmp_path, binary):
    """A dist/ folder as scripts/build-release.sh leaves it, pointing at the build under test."""
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "axllama").symlink_to(binary)
    simulator = simulator_library()
    if simulator is not None:
        (folder / "libaxcl_rt.so").symlink_to(simulator)
    return folder
