"""libvirt picks EFI-lite from its firmware descriptor (issue 14).

The test installs EFI-lite with `make install PREFIX=<tmp>/prefix`, starts its own
session libvirtd (every directory it uses under one temporary dir, nothing in /etc or
/run), defines aarch64 virt TCG domains with a disk, a direct kernel boot and a serial
log file, and reads back which firmware libvirt chose: `virsh dumpxml`'s loader and nvram
template and the QEMU command line in the domain log. The daemon runs as the calling
user, or as `nobody` when that is root: libvirt treats a root daemon as the system one,
which ignores per-user descriptors and insists on /etc and /run.

libvirt 9.0 reads descriptors from /usr/share/qemu/firmware, /etc/qemu/firmware and (for
a session daemon) $XDG_CONFIG_HOME/qemu/firmware, sorted by file name. EFI-lite installs as
70-…, after Debian's AAVMF (40-60), so it is chosen only when asked for. The test shows
both: the distro's AAVMF stays the default, a domain naming EFI-lite's loader gets the
nvram template from EFI-lite's descriptor, and once the distro descriptors are hidden by
empty files of the same name in the private config dir (the spec's way to mask one),
plain <os firmware='efi'> selects EFI-lite and the guest reaches the test init.
"""
import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
from qemu import ROOT, BUILD

PRIO = "70"
DESCRIPTOR = f"{PRIO}-efilite-aarch64.json"
BOOT_SECONDS = 180          # TCG on a shared machine: generous, still bounded


def test_code_image_boots_as_pflash_unit0(cloud_kernel, initrd, tmp_path):
    """What libvirt will do, without libvirt: the padded image as read-only pflash
    unit 0 and a copy of the variable template as unit 1."""
    subprocess.run(["make", "-s", f"B={BUILD}", f"{BUILD}/efilite-code.fd",
                    f"{BUILD}/efilite-vars.fd"], cwd=ROOT, check=True, timeout=300)
    for name in ("efilite-code.fd", "efilite-vars.fd"):
        assert os.path.getsize(os.path.join(BUILD, name)) == 64 << 20
    vars_copy = tmp_path / "vars.fd"
    shutil.copyfile(os.path.join(BUILD, "efilite-vars.fd"), vars_copy)
    cmd = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-m", "1G",
           "-display", "none", "-serial", "stdio", "-monitor", "none", "-net", "none",
           "-no-reboot",
           "-drive", f"if=pflash,unit=0,format=raw,readonly=on,file={BUILD}/efilite-code.fd",
           "-drive", f"if=pflash,unit=1,format=raw,file={vars_copy}",
           "-kernel", cloud_kernel, "-initrd", initrd, "-append", "console=ttyAMA0 panic=-1"]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=BOOT_SECONDS)
    log = p.stdout.decode("utf-8", "replace")
    assert "EFI-lite" in log.splitlines()[0], log[:2000]
    assert "INIT: reached" in log and "INIT: done" in log, log[-3000:]


def test_make_install_and_uninstall(tmp_path):
    """make install DESTDIR=... writes exactly the two images and the descriptor, with
    the final (PREFIX) paths inside; make uninstall removes every file it wrote."""
    dest = str(tmp_path / "dest")
    make = ["make", "-s", f"B={BUILD}", f"DESTDIR={dest}"]
    subprocess.run(make + ["install"], cwd=ROOT, check=True, timeout=300, stdout=subprocess.DEVNULL)
    files = sorted(os.path.relpath(os.path.join(d, f), dest)
                   for d, _, fs in os.walk(dest) for f in fs)
    assert files == ["usr/local/share/efilite/efilite-code.fd",
                     "usr/local/share/efilite/efilite-vars.fd",
                     f"usr/local/share/qemu/firmware/{DESCRIPTOR}"]
    with open(f"{dest}/usr/local/share/qemu/firmware/{DESCRIPTOR}") as f:
        mapping = json.load(f)["mapping"]
    assert mapping["executable"]["filename"] == "/usr/local/share/efilite/efilite-code.fd"
    assert mapping["nvram-template"]["filename"] == "/usr/local/share/efilite/efilite-vars.fd"
    with open(f"{dest}/usr/local/share/efilite/efilite-code.fd", "rb") as a, \
            open(os.path.join(BUILD, "efilite.bin"), "rb") as b:
        image = b.read()
        assert a.read(len(image)) == image and not a.read().strip(b"\0")
    subprocess.run(make + ["uninstall"], cwd=ROOT, check=True, timeout=60, stdout=subprocess.DEVNULL)
    assert [f for _, _, fs in os.walk(dest) for f in fs] == []
    assert not os.path.exists(f"{dest}/usr/local/share/efilite")

def _unprivileged():
    """(uid, gid) the daemon runs as: ourselves, or nobody when we are root."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


class Session:
    """A private session libvirtd and a virsh that talks to it."""

    def __init__(self, top):
        self.top = top
        self.uid, self.gid = _unprivileged()
        self.env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C",
                    "HOME": f"{top}/home", "XDG_RUNTIME_DIR": f"{top}/run",
                    "XDG_CONFIG_HOME": f"{top}/config", "XDG_CACHE_HOME": f"{top}/cache",
                    "LIBVIRT_AUTOSTART": "0"}   # virsh must never spawn a daemon of its own
        self.fwdir = f"{top}/config/qemu/firmware"
        self.daemon = None

    def _as_user(self):
        if os.geteuid() == 0:
            return {"user": self.uid, "group": self.gid, "extra_groups": []}
        return {}

    def start(self):
        for d in ("home", "run", "config/libvirt", "cache"):
            os.makedirs(f"{self.top}/{d}", exist_ok=True)
        os.chmod(f"{self.top}/run", 0o700)
        # QEMU's stdio and the serial file are opened by libvirtd itself, not virtlogd,
        # which would otherwise be spawned and outlive the test.
        with open(f"{self.top}/config/libvirt/qemu.conf", "w") as f:
            f.write('stdio_handler = "file"\n')
        self.chown()
        self.log = open(f"{self.top}/libvirtd.log", "wb")
        self.daemon = subprocess.Popen(["libvirtd"], env=self.env, cwd=self.top,
                                       stdin=subprocess.DEVNULL, stdout=self.log,
                                       stderr=subprocess.STDOUT, **self._as_user())
        sock = f"{self.top}/run/libvirt/libvirt-sock"
        deadline = time.monotonic() + 30
        while not os.path.exists(sock):
            if self.daemon.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("libvirtd did not start:\n" + self.daemon_log())
            time.sleep(0.2)

    def chown(self):
        if os.geteuid() != 0:
            return
        for dirpath, dirs, files in os.walk(self.top):
            for n in [dirpath] + [os.path.join(dirpath, x) for x in dirs + files]:
                os.lchown(n, self.uid, self.gid)

    def daemon_log(self):
        with open(f"{self.top}/libvirtd.log", "rb") as f:
            return f.read().decode("utf-8", "replace")[-3000:]

    def virsh(self, *args, check=True):
        p = subprocess.run(["virsh", "-q", "-c", "qemu:///session", *args], env=self.env,
                           cwd=self.top, capture_output=True, text=True, timeout=120,
                           **self._as_user())
        if check and p.returncode != 0:
            raise AssertionError(f"virsh {' '.join(args)}: {p.stderr}\n{self.daemon_log()}")
        return p.stdout

    def domain_pids(self):
        pids = []
        for f in glob.glob(f"{self.top}/run/libvirt/qemu/run/*.pid"):
            try:
                pids.append(int(open(f).read().strip()))
            except (OSError, ValueError):
                pass
        return pids

    def stop(self):
        """Destroy every domain, stop the daemon, and make sure no QEMU it started
        survives it (by the pids libvirt recorded)."""
        if self.daemon is None:
            return
        if self.daemon.poll() is None:
            for name in self.virsh("list", "--name", check=False).split():
                self.virsh("destroy", name, check=False)
        leftovers = self.domain_pids()
        self.daemon.terminate()
        try:
            self.daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait()
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


@pytest.fixture(scope="module")
def session(cloud_kernel, initrd):
    for tool in ("libvirtd", "virsh"):
        assert shutil.which(tool, path="/usr/sbin:/usr/bin"), f"{tool} missing: run tools/setup"
    top = tempfile.mkdtemp(prefix="efilite-libvirt-")
    os.chmod(top, 0o755)
    s = Session(top)
    try:
        # The descriptor under test is the one make install writes, found where a
        # session libvirt looks for per-user additions.
        subprocess.run(["make", "-s", f"B={BUILD}", "install", f"PREFIX={top}/prefix"],
                       cwd=ROOT, check=True, timeout=300, stdout=subprocess.DEVNULL)
        os.makedirs(s.fwdir)
        shutil.copy(f"{top}/prefix/share/qemu/firmware/{DESCRIPTOR}", s.fwdir)
        # Kernel and initrd copied where the unprivileged daemon can read them.
        os.makedirs(f"{top}/img")
        shutil.copy(cloud_kernel, f"{top}/img/vmlinuz")
        shutil.copy(initrd, f"{top}/img/initrd")
        with open(f"{top}/img/disk.raw", "wb") as f:
            f.truncate(16 << 20)
        s.start()
        yield s
    finally:
        s.stop()
        shutil.rmtree(top, ignore_errors=True)


def domain_xml(top, name, loader=None, firmware="efi"):
    fw = f" firmware='{firmware}'" if firmware else ""
    loader_el = f"<loader readonly='yes' type='pflash'>{loader}</loader>" if loader else ""
    return f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>512</memory>
  <vcpu>1</vcpu>
  <os{fw}>
    <type arch='aarch64' machine='virt'>hvm</type>
    {loader_el}
    <kernel>{top}/img/vmlinuz</kernel>
    <initrd>{top}/img/initrd</initrd>
    <cmdline>console=ttyAMA0 panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='custom' match='exact'><model>cortex-a57</model></cpu>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-aarch64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{top}/img/disk.raw'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'>
      <source path='{top}/{name}.serial'/>
      <target port='0'/>
    </serial>
  </devices>
</domain>
"""


def start(s, name, **kw):
    """Define and start a domain; returns the live XML (firmware is chosen at start)."""
    path = f"{s.top}/{name}.xml"
    with open(path, "w") as f:
        f.write(domain_xml(s.top, name, **kw))
    s.chown()
    s.virsh("define", path)
    s.virsh("start", name)
    return s.virsh("dumpxml", name)


def wait_for_init(s, name):
    """The serial log once the test init has said done (the guest then powers off)."""
    serial, deadline, log = f"{s.top}/{name}.serial", time.monotonic() + BOOT_SECONDS, ""
    while time.monotonic() < deadline:
        with open(serial, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        if "INIT: done" in log:
            return log
        time.sleep(1)
    s.virsh("destroy", name, check=False)
    raise AssertionError(f"{name}: no 'INIT: done' in {BOOT_SECONDS} s:\n{log[-3000:]}")


def qemu_command_line(s, name):
    with open(f"{s.top}/cache/libvirt/qemu/log/{name}.log") as f:
        return f.read()


def code(s):
    return f"{s.top}/prefix/share/efilite/efilite-code.fd"


def test_descriptor_is_honest(session):
    with open(f"{session.fwdir}/{DESCRIPTOR}") as f:
        d = json.load(f)
    assert d["interface-types"] == ["uefi"]
    assert d["mapping"]["device"] == "flash"
    assert d["mapping"]["executable"] == {"filename": code(session), "format": "raw"}
    assert d["mapping"]["nvram-template"]["filename"].endswith("/efilite-vars.fd")
    assert d["targets"] == [{"architecture": "aarch64", "machines": ["virt-*"]}]
    # No Secure Boot, no keys, no SMM, no S3/S4 on virt, and the log is a few lines,
    # not the "large amount of debug messages" verbose-static promises.
    assert d["features"] == []


def test_distro_firmware_stays_the_default(session):
    """Priority 70 does not displace Debian's AAVMF for a plain firmware='efi' domain."""
    if not glob.glob("/usr/share/qemu/firmware/*-edk2-aarch64*.json"):
        pytest.skip("no distro aarch64 UEFI descriptor installed to compare with")
    xml = start(session, "plain")
    session.virsh("destroy", "plain")
    assert "/usr/share/AAVMF/" in xml and code(session) not in xml, xml


def test_named_loader_takes_template_from_descriptor(session):
    """A domain that names EFI-lite's loader gets, from EFI-lite's descriptor alone, the
    nvram template libvirt copies for it, and QEMU maps both as pflash."""
    xml = start(session, "named", loader=code(session), firmware=None)
    try:
        vars_tmpl = f"{session.top}/prefix/share/efilite/efilite-vars.fd"
        assert f"<nvram template='{vars_tmpl}'>" in xml, xml
        cmd = qemu_command_line(session, "named")
        assert f'"filename":"{code(session)}"' in cmd, cmd
        assert "pflash0=libvirt-pflash0-format" in cmd, cmd
    finally:
        session.virsh("destroy", "named", check=False)


def test_libvirt_selects_efilite_and_boots(session):
    """With the distro descriptors masked, firmware='efi' alone selects EFI-lite; the
    guest boots through it to the test init."""
    masks = [os.path.join(session.fwdir, os.path.basename(p))
             for p in glob.glob("/usr/share/qemu/firmware/*.json") + glob.glob("/etc/qemu/firmware/*.json")
             if os.path.basename(p) != DESCRIPTOR]
    for m in masks:
        open(m, "w").close()
    session.chown()
    try:
        xml = start(session, "auto")
    finally:
        for m in masks:
            os.unlink(m)
    assert "<os firmware='efi'>" in session.virsh("dumpxml", "--inactive", "auto")
    assert f"<loader readonly='yes' type='pflash'>{code(session)}</loader>" in xml, xml
    log = wait_for_init(session, "auto")
    cmd = qemu_command_line(session, "auto")
    assert f'"filename":"{code(session)}"' in cmd and "pflash0=libvirt-pflash0-format" in cmd
    assert log.lstrip().startswith("EFI-lite"), log[:500]
    assert "INIT: reached" in log
    assert "INIT: dmi: QEMU | QEMU Virtual Machine | EFI-lite" in log, log[-2000:]
