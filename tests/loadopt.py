"""EFI device paths and load options as bytes (UEFI 2.10 sections 10.3 and 3.1.3), for
tests that write Boot#### variables the way efibootmgr and shim's fallback do."""
import re
import struct
import subprocess
import uuid


def node(kind, subtype, body=b""):
    return struct.pack("<BBH", kind, subtype, 4 + len(body)) + body


END = node(0x7f, 0xff)


def pci_root(uid=0):
    return node(2, 1, struct.pack("<II", 0x0a0341d0, uid))


def pci(dev, fn=0):
    return node(1, 1, bytes([fn, dev]))


def hd_gpt(number, first, blocks, guid):
    return node(4, 1, struct.pack("<IQQ16sBB", number, first, blocks,
                                  uuid.UUID(guid).bytes_le, 2, 2))


def hd_mbr(number, first, blocks, signature):
    return node(4, 1, struct.pack("<IQQ16sBB", number, first, blocks,
                                  struct.pack("<I", signature), 1, 1))


def filepath(name):
    return node(4, 4, (name + "\0").encode("utf-16-le"))


def load_option(description, path, data=b"", active=True):
    """path: the nodes, END appended here."""
    path += END
    return (struct.pack("<IH", 1 if active else 0, len(path)) +
            (description + "\0").encode("utf-16-le") + path + data)


def u16(*numbers):
    return b"".join(struct.pack("<H", n) for n in numbers)


def gpt_partition(image, number=1):
    """(unique GUID, first LBA, blocks) of a GPT partition, as sgdisk reads them."""
    out = subprocess.run(["sgdisk", "-i", str(number), image], capture_output=True,
                         text=True, check=True).stdout
    guid = re.search(r"Partition unique GUID: (\S+)", out)[1]
    first, last = (int(re.search(rf"{w} sector: (\d+)", out)[1]) for w in ("First", "Last"))
    return guid, first, last - first + 1


def bootvars_append(**variables):
    """The command line tests/efi/bootvars.c takes: NAME=HEX for each, NAME= deletes."""
    return " ".join(f"{name}={value.hex()}" for name, value in variables.items())
