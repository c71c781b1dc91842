"""Where each UEFI service and protocol member is bound, read from the tables in the
source (`.Member = Function,`): docs/uefi.md's index is checked against it."""
import glob
import os
import re

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The tables and what the spec calls them.
TABLES = {
    "efi_bs": "boot services",
    "services": "runtime services",
    "efi_conout": "EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL",
    "efi_conin": "EFI_SIMPLE_TEXT_INPUT_PROTOCOL",
    "rng": "EFI_RNG_PROTOCOL",
    "utilities": "EFI_DEVICE_PATH_UTILITIES_PROTOCOL",
    "memattr": "EFI_MEMORY_ATTRIBUTE_PROTOCOL",
    "initrd_loadfile": "EFI_LOAD_FILE2_PROTOCOL (the -initrd)",
    "to_text": "EFI_DEVICE_PATH_TO_TEXT_PROTOCOL",
    "efi_devpath_from_text": "EFI_DEVICE_PATH_FROM_TEXT_PROTOCOL",
    "bio": "EFI_BLOCK_IO_PROTOCOL",
    "dio": "EFI_DISK_IO_PROTOCOL",
    "simple_fs": "EFI_SIMPLE_FILE_SYSTEM_PROTOCOL",
    "file_protocol": "EFI_FILE_PROTOCOL",
}


def sources():
    files = glob.glob(os.path.join(TOP, "efi", "*.c")) + glob.glob(os.path.join(TOP, "runtime", "*.c"))
    return {os.path.relpath(p, TOP): open(p).read() for p in sorted(files)}


def definition(fn, text):
    for path, s in text.items():
        if re.search(r"^[A-Za-z_][\w \*]*\b" + fn + r"\([^;{]*\)\n\{", s, re.M):
            return path
    return None


def bindings():
    """(table, member, function, file) for every member of the tables above."""
    text = sources()
    rows = []
    for path, s in text.items():
        for m in re.finditer(r"^(?:static )?[\w ]*?\b(\w+)(?:\(\w+ \*\w+\))? = \{|"
                             r"^static void (\w+)\(EFI_RUNTIME_SERVICES|"
                             r"^\t\w+->(\w+) = \(\w+\)\{", s, re.M):
            table = m[1] or m[2] or m[3]
            if table not in TABLES:
                continue
            body = s[m.end():s.index("};", m.end())]
            for b in re.finditer(r"\.(\w+) = (?:rt_ptr\()?(\w+)\)?\s*,", body + ","):
                member, fn = b[1], b[2]
                where = definition(fn, text)
                if where:
                    rows.append((TABLES[table], member, fn, where))
    return rows


def table_markdown():
    out = ["| table | member | function | file |", "|---|---|---|---|"]
    for table, member, fn, where in bindings():
        out.append(f"| {table} | {member} | `{fn}` | `{where}` |")
    return "\n".join(out)


if __name__ == "__main__":
    print(table_markdown())
