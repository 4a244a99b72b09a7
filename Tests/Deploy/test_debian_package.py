"""scripts/build-deb.sh on the release binary, then the package inspected with dpkg-deb and
installed, removed and purged with `dpkg --root` in a throwaway root: the files land where the
documents say, the configuration is a conffile, and the models survive a purge."""
import os
import shutil
import subprocess

import pytest

from deploy_support import REPOSITORY, require_tool

MAINTAINER_SCRIPTS = ["postinst", "prerm", "postrm"]


@pytest.fixture(scope="module")
def package(tmp_path_factory, binary):
    require_tool("dpkg-deb")
    require_tool("dpkg")
    out = tmp_path_factory.mktemp("deb")
    environment = dict(os.environ, DIST=str(out), BINARY=str(binary), VERSION="1.2.3~test", COMPRESSION="none")
    result = subprocess.run([str(REPOSITORY / "scripts/build-deb.sh")], env=environment, capture_output=True, text=True, check=True)
    return out / os.path.basename(result.stdout.strip().splitlines()[-1])


def dpkg_in(root, *arguments):
    # --force-script-chrootless runs the maintainer scripts with DPKG_ROOT set instead of in a
    # chroot; they then leave the running system alone. --force-depends: the root is empty.
    command = ["dpkg", f"--root={root}", "--force-not-root", "--force-script-chrootless", "--force-depends",
               "--log=/dev/null", *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True)


def empty_root(path):
    for folder in ("var/lib/dpkg/updates", "var/lib/dpkg/info"):
        (path / folder).mkdir(parents=True)
    (path / "var/lib/dpkg/status").touch()
    return path


def test_package_holds_the_binary_unit_configuration_and_documents(package):
    listing = subprocess.run(["dpkg-deb", "-c", str(package)], capture_output=True, text=True, check=True).stdout
    paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    for expected in ("/usr/bin/axllama", "/usr/lib/systemd/system/axllama.service", "/etc/axllama/axllama.env",
                     "/usr/share/doc/axllama/README.md", "/usr/share/doc/axllama/raspberry-pi.md",
                     "/usr/share/doc/axllama/troubleshooting.md"):
        assert expected in paths, expected
    assert not any(path.startswith("/var/lib/axllama") for path in paths), "the model store is not part of the package"
    owners = {line.split()[1] for line in listing.splitlines()}
    assert owners == {"root/root"}


def test_package_declares_its_architecture_and_conffile(package):
    architecture = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    assert subprocess.run(["dpkg-deb", "-f", str(package), "Architecture"], capture_output=True, text=True, check=True).stdout.strip() == architecture
    assert subprocess.run(["dpkg-deb", "-f", str(package), "Version"], capture_output=True, text=True, check=True).stdout.strip() == "1.2.3~test"
    info = subprocess.run(["dpkg-deb", "-I", str(package), "conffiles"], capture_output=True, text=True, check=True).stdout
    assert info.split() == ["/etc/axllama/axllama.env"]


@pytest.mark.parametrize("script", MAINTAINER_SCRIPTS)
def test_maintainer_script_is_valid_posix_shell(script):
    path = REPOSITORY / "deploy/debian" / script
    assert os.access(path, os.X_OK)
    subprocess.run(["sh", "-n", str(path)], check=True)
    if shutil.which("shellcheck"):
        subprocess.run(["shellcheck", "-s", "sh", str(path)], check=True)


def test_install_remove_and_purge_in_a_throwaway_root_keep_the_models(package, tmp_path):
    root = empty_root(tmp_path / "root")
    dpkg_in(root, "-i", str(package))
    binary = root / "usr/bin/axllama"
    assert os.access(binary, os.X_OK)
    subprocess.run([str(binary), "--help"], capture_output=True, check=True)
    assert (root / "etc/axllama/axllama.env").read_text() == (REPOSITORY / "deploy/axllama.env").read_text()
    models = root / "var/lib/axllama/models"
    assert models.is_dir(), "postinst makes the model store"
    assert oct(models.stat().st_mode & 0o777) == oct(0o750)

    (models / "blobs").mkdir()
    (models / "blobs/sha256-0000").write_bytes(b"weights")
    dpkg_in(root, "--remove", "axllama")
    assert not binary.exists()
    assert (root / "etc/axllama/axllama.env").exists(), "remove keeps the configuration"
    result = dpkg_in(root, "--purge", "axllama")
    assert not (root / "etc/axllama/axllama.env").exists(), "purge deletes the configuration"
    assert (models / "blobs/sha256-0000").read_bytes() == b"weights", "purge leaves the models"
    assert "kept the models" in result.stdout
