"""Build the test initramfs: Debian's static busybox and an init that prints facts from
/proc and /sys between INIT: markers, then powers off. Written as a newc cpio by hand.
As a script (`initramfs.py OUT BUSYBOX --shell`) it builds `make run`'s, which gives a
shell instead."""
import gzip
import os
import sys

PROLOGUE = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
"""

INIT = PROLOGUE + r"""echo "INIT: reached"
echo "INIT: cmdline: $(cat /proc/cmdline)"
echo "INIT: $(grep MemTotal /proc/meminfo)"
echo "INIT: cpus: $(grep -c ^processor /proc/cpuinfo)"
grep "Kernel code" /proc/iomem | sed 's/^ */INIT: iomem: /'
[ -d /sys/firmware/efi ] && echo "INIT: efi: $(ls /sys/firmware/efi | tr '\n' ' ')"
[ -e /dev/kvm ] && echo "INIT: kvm: /dev/kvm"
d=/sys/class/dmi/id
[ -d $d ] && echo "INIT: dmi: $(cat $d/sys_vendor) | $(cat $d/product_name) | $(cat $d/bios_vendor) | $(cat $d/bios_version) | $(cat $d/bios_date)"
[ -d /sys/firmware/acpi/tables ] && echo "INIT: acpi: $(ls /sys/firmware/acpi/tables | tr '\n' ' ')"
insmod /lib/modules/$(uname -r)/efivarfs.ko 2>/dev/null
if mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null; then
    v=/sys/firmware/efi/efivars/EfiliteTest-3b5d2a76-5a52-4c27-9c24-13d6e8c0f5a1
    printf '\007\000\000\000written at runtime' > $v
    echo "INIT: efivar: $(tail -c +5 $v)"
    echo "INIT: efivars: $(ls /sys/firmware/efi/efivars | tr '\n' ' ')"
fi
echo "INIT: done"
grep -q "test=reboot" /proc/cmdline && reboot -f
poweroff -f
"""


SHELL = PROLOGUE + r"""echo "EFI-lite demo: a busybox shell on Debian's kernel; 'poweroff -f' ends it."
exec setsid cttyhack sh
"""


def _entry(name, mode, data=b""):
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    hdr = "070701" + "".join(f"{f:08x}" for f in fields)
    out = hdr.encode() + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def _modules(modules):
    """lib/modules/VERSION/NAME.ko entries for the given (version, path) pairs."""
    out = [_entry("lib", 0o040755), _entry("lib/modules", 0o040755)]
    for version, path in modules:
        with open(path, "rb") as f:
            out += [_entry(f"lib/modules/{version}", 0o040755),
                    _entry(f"lib/modules/{version}/{os.path.basename(path)}", 0o100644, f.read())]
    return out


def build(path, busybox, init=INIT, modules=(), files=(), compress=True):
    """files: more (name, mode, data) entries, e.g. ("bin/tool", 0o100755, b"...").
    compress=False writes plain cpio, which a slow (TCG) guest unpacks faster."""
    with open(busybox, "rb") as f:
        bb = f.read()
    blob = b"".join([
        _entry("bin", 0o040755), _entry("bin/busybox", 0o100755, bb),
        _entry("init", 0o100755, init.encode()), *_modules(modules),
        *(_entry(*f) for f in files), _entry("TRAILER!!!", 0),
    ])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "wb") as f:
        f.write(gzip.compress(blob, 6) if compress else blob)
    os.replace(path + ".tmp", path)
    return path


if __name__ == "__main__":
    build(sys.argv[1], sys.argv[2], SHELL if "--shell" in sys.argv[3:] else INIT)
