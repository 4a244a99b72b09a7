"""scripts/install.sh into a throwaway DESTDIR: files land where docs/raspberry-pi.md says, with
the documented modes; the unit passes `systemd-analyze verify`; the service user is created in a
chroot-style root when the test runs as root."""
import configparser
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from deploy_support import REPOSITORY, require_tool

# Every variable of the configuration contract (README "Configuration", deploy/axllama.env).
CONTRACT_VARIABLES = """
OLLAMA_HOST OLLAMA_MODELS OLLAMA_KEEP_ALIVE OLLAMA_MAX_LOADED_MODELS OLLAMA_MAX_QUEUE OLLAMA_ORIGINS
OLLAMA_CONTEXT_LENGTH OLLAMA_DEBUG AXLLAMA_PRELOAD AXLLAMA_PIN AXLLAMA_API_KEY AXLLAMA_MAX_BODY
AXLLAMA_AXCL_LIBRARY AXLLAMA_DEVICES AXLLAMA_TELEMETRY_INTERVAL AXLLAMA_ENGINE_TIMEOUT
AXLLAMA_RECOVERY_ATTEMPTS AXLLAMA_FALLBACK_MODEL AXLLAMA_PREFIX_CACHE_DIR AXLLAMA_LOG_FORMAT
AXLLAMA_LOG_LEVEL AXLLAMA_STATUS_INTERVAL AXLLAMA_TEMP_WARN AXLLAMA_TEMP_HIGH AXLLAMA_TEMP_CRITICAL
AXLLAMA_HIGH_TEMP_ACTION AXLLAMA_HIGH_TEMP_NUM_PREDICT AXLLAMA_CMM_WARN_MIB AXLLAMA_CMM_FLOOR_MIB
AXLLAMA_SHUTDOWN_GRACE
""".split()
# Read by the build, the tests or the client verbs (the key a client sends), not by the service.
NOT_SERVICE_SETTINGS = {"AXLLAMA_TEST_MODEL", "AXLLAMA_BINARY", "AXLLAMA_TARGET_CPU", "OLLAMA_API_KEY"}


def run_install(destdir, dist, **env):
    environment = {name: value for name, value in os.environ.items() if name not in ("PREFIX", "UNITDIR")}
    environment.update(DESTDIR=str(destdir), DIST=str(dist), **env)
    return subprocess.run([str(REPOSITORY / "scripts/install.sh")], env=environment, capture_output=True, text=True, check=True)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def unit_settings(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read(path)
    return parser


def test_install_puts_every_file_where_the_documents_say(tmp_path, dist):
    root = tmp_path / "root"
    result = run_install(root, dist)
    expected = {
        "usr/local/bin/axllama": 0o755,
        "etc/systemd/system/axllama.service": 0o644,
        "etc/axllama/axllama.env": 0o644,
        "var/lib/axllama": 0o750,
        "var/lib/axllama/models": 0o750,
        "usr/local/share/doc/axllama/raspberry-pi.md": 0o644,
    }
    if (dist / "libaxcl_rt.so").exists():
        expected["usr/local/lib/axllama/libaxcl_rt.so"] = 0o644
    for relative, wanted in expected.items():
        assert (root / relative).exists(), f"{relative} missing; install.sh said:\n{result.stdout}"
        assert mode(root / relative) == wanted, relative
    assert (root / "etc/axllama/axllama.env").read_text() == (REPOSITORY / "deploy/axllama.env").read_text()
    unit = unit_settings(root / "etc/systemd/system/axllama.service")
    assert unit["Service"]["ExecStart"] == "/usr/local/bin/axllama serve"
    assert unit["Unit"]["Documentation"] == "file:///usr/local/share/doc/axllama/raspberry-pi.md"
    help_text = subprocess.run([str(root / "usr/local/bin/axllama"), "serve", "--help"], capture_output=True, text=True, check=True).stdout
    assert "--preload" in help_text


def test_prefix_usr_installs_the_unit_where_packages_put_units(tmp_path, dist):
    root = tmp_path / "root"
    run_install(root, dist, PREFIX="/usr")
    assert (root / "usr/bin/axllama").is_file()
    unit = unit_settings(root / "usr/lib/systemd/system/axllama.service")
    assert unit["Service"]["ExecStart"] == "/usr/bin/axllama serve"


def test_a_second_install_keeps_the_edited_configuration(tmp_path, dist):
    root = tmp_path / "root"
    run_install(root, dist)
    settings = root / "etc/axllama/axllama.env"
    settings.write_text("AXLLAMA_PIN=mine\n")
    result = run_install(root, dist)
    assert settings.read_text() == "AXLLAMA_PIN=mine\n"
    assert (root / "etc/axllama/axllama.env.example").read_text() == (REPOSITORY / "deploy/axllama.env").read_text()
    assert "kept the existing" in result.stdout


def test_install_without_a_release_build_says_how_to_make_one(tmp_path):
    environment = dict(os.environ, DESTDIR=str(tmp_path / "root"), DIST=str(tmp_path / "empty"))
    result = subprocess.run([str(REPOSITORY / "scripts/install.sh")], env=environment, capture_output=True, text=True)
    assert result.returncode != 0
    assert "scripts/build-release.sh" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a user in a chroot-style root needs root")
def test_install_into_a_root_file_system_creates_the_service_user(tmp_path, dist):
    require_tool("useradd")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc/group").write_text("root:x:0:\n")
    (root / "etc/shadow").write_text("root:*:19000:0:99999:7:::\n")
    (root / "etc/gshadow").write_text("root:*::\n")
    (root / "etc/shadow").chmod(0o640)
    run_install(root, dist)
    entry = next(line for line in (root / "etc/passwd").read_text().splitlines() if line.startswith("axllama:"))
    _, _, uid, gid, _, home, shell = entry.split(":")
    assert int(uid) < 1000, "a system user"
    assert home == "/var/lib/axllama"
    assert shell == "/usr/sbin/nologin"
    assert any(line.startswith(f"axllama:x:{gid}:") for line in (root / "etc/group").read_text().splitlines())
    for relative in ("var/lib/axllama", "var/lib/axllama/models"):
        info = (root / relative).stat()
        assert (info.st_uid, info.st_gid) == (int(uid), int(gid)), relative


def test_unit_runs_supervised_as_the_service_user_and_can_reach_the_card():
    unit = unit_settings(REPOSITORY / "deploy/axllama.service")
    service = unit["Service"]
    assert service["Type"] == "notify"
    assert int(service["WatchdogSec"]) > 0
    assert service["Restart"] == "on-failure"
    assert service["User"] == "axllama"
    assert service["EnvironmentFile"] == "/etc/axllama/axllama.env"
    # The card is reached through /dev/axcl_host and friends (axera.md §1.1): device isolation
    # would hide them from the runtime.
    assert service.get("PrivateDevices", "no") == "no"
    assert "DevicePolicy" not in service and "DeviceAllow" not in service
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_unit_file_passes_systemd_analyze_verify(tmp_path, dist):
    require_tool("systemd-analyze")
    host_units = Path("/usr/lib/systemd/system")
    if not (host_units / "multi-user.target").exists():
        pytest.skip("systemd's own unit files are not installed here")
    root = tmp_path / "root"
    run_install(root, dist)
    # verify resolves the unit's dependencies (multi-user.target, …) inside --root.
    shutil.copytree(host_units, root / "usr/lib/systemd/system", symlinks=True)
    result = subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", "/etc/systemd/system/axllama.service"],
        capture_output=True, text=True,
    )
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if "axllama" in line]
    assert result.returncode == 0 and not complaints, "\n".join(complaints) or result.stderr


def test_environment_example_lists_every_setting_with_its_default():
    text = (REPOSITORY / "deploy/axllama.env").read_text()
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))
    read_by_code = set()
    for source in (REPOSITORY / "Sources").rglob("*.swift"):
        read_by_code.update(re.findall(r'"((?:AXLLAMA|OLLAMA)_[A-Z0-9_]+)"', source.read_text()))
    missing = (set(CONTRACT_VARIABLES) | read_by_code) - NOT_SERVICE_SETTINGS - listed
    assert not missing, f"deploy/axllama.env does not describe {sorted(missing)}"
    # Every line is a comment, blank, or a setting: systemd reads nothing else.
    for line in text.splitlines():
        assert line == "" or line.startswith("#") or re.match(r"^[A-Z][A-Z0-9_]+=", line), line


@pytest.mark.parametrize("script", ["install.sh", "build-release.sh", "build-simulator.sh", "build-deb.sh"])
def test_deployment_script_is_valid_bash(script):
    path = REPOSITORY / "scripts" / script
    assert os.access(path, os.X_OK)
    subprocess.run(["bash", "-n", str(path)], check=True)
    if shutil.which("shellcheck"):
        subprocess.run(["shellcheck", str(path)], check=True)
