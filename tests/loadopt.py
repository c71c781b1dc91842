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


def load_option(description, path, optional=b"", attributes=1):
    """path ends in END; LOAD_OPTION_ACTIVE (1) by default, as efibootmgr -c makes it."""
    return (struct.pack("<IH", attributes, len(path)) +
            (description + "\0").encode("utf-16-le") + path + optional)


def parse_load_option(data):
    """(attributes, description, [(type, subtype, body)], optional data)."""
    attributes, length = struct.unpack_from("<IH", data)
    end = 6
    while data[end:end + 2] != b"\0\0":
        end += 2
    desc = data[6:end].decode("utf-16-le")
    dp, nodes, i = data[end + 2:end + 2 + length], [], 0
    while i < len(dp):
        t, s, n = struct.unpack_from("<BBH", dp, i)
        nodes.append((t, s, dp[i + 4:i + n]))
        i += n
        if (t, s) == (0x7f, 0xff):
            break
    return attributes, desc, nodes, data[end + 2 + length:]


def describe_path(nodes):
    """The nodes as UEFI's text form, for the two media nodes the tests look at."""
    out = []
    for t, s, body in nodes:
        if (t, s) == (4, 1):
            part, start, blocks, sig, _, _ = struct.unpack("<IQQ16sBB", body)
            out.append(f"HD({part},GPT,{uuid.UUID(bytes_le=sig)},{start:#x},{blocks:#x})")
        elif (t, s) == (4, 4):
            out.append(f"File({body.decode('utf-16-le').rstrip(chr(0))})")
        elif (t, s) != (0x7f, 0xff):
            out.append(f"Node({t},{s})")
    return "/".join(out)


def u16(*numbers):
    return b"".join(struct.pack("<H", n) for n in numbers)


def gpt_partition(image, number=1):
    """(unique GUID, first LBA, blocks) of a GPT partition, as sgdisk reads them."""
    out = subprocess.run(["sgdisk", "-i", str(number), image], capture_output=True,
                         text=True, check=True).stdout
    guid = re.search(r"Partition unique GUID: (\S+)", out)[1]
    first, last = (int(re.search(rf"{w} sector: (\d+)", out)[1]) for w in ("First", "Last"))
    return guid, first, last - first + 1


def setvar_options(variables):
    """tests/efi/setvar.c's load options for {name: bytes or None (delete)}."""
    return " ".join(f"{n}={v.hex() if v is not None else '-'}" for n, v in variables.items())
