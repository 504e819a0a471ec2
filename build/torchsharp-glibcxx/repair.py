#!/usr/bin/env python3
"""Makes TorchSharp's libLibTorchSharp.so load where libstdc++ lacks GLIBCXX_3.4.32 (Debian 12).

The library was built with GCC 13 and needs exactly one symbol of that version,
std::ios_base_library_init(). On such a machine this script, run on a build output's native folder:
  1. marks the GLIBCXX_3.4.32 version requirement weak (VER_FLG_WEAK in .gnu.version_r), so the
     dynamic loader no longer refuses the library;
  2. builds a one-function shim library that provides the symbol and adds it as a NEEDED entry
     (found through the library's own $ORIGIN runpath).
Where libstdc++ already has the version (GCC >= 13 systems) it changes nothing. Idempotent.
Usage: repair.py NATIVE_DIR
"""
import os
import struct
import subprocess
import sys

MISSING_VERSION = b"GLIBCXX_3.4.32"
TORCHSHARP_LIB = "libLibTorchSharp.so"
SHIM_LIB = "libuniad_ios_base_library_init.so"
SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def system_libstdcxx_has_version() -> bool:
    listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    paths = [line.split("=>")[-1].strip() for line in listing.splitlines()
             if "libstdc++.so.6 " in line and "x86-64" in line]
    if not paths:
        sys.exit("repair.py: libstdc++.so.6 (x86-64) not found by ldconfig")
    with open(paths[0], "rb") as f:
        return MISSING_VERSION + b"\0" in f.read()


def mark_version_weak(path: str) -> bool:
    """Sets VER_FLG_WEAK on the vernaux entry named MISSING_VERSION; returns True if changed."""
    with open(path, "r+b") as f:
        elf = bytearray(f.read())
        assert elf[:4] == b"\x7fELF" and elf[4] == 2, "expected a 64-bit ELF file"
        e_shoff, = struct.unpack_from("<Q", elf, 0x28)
        e_shentsize, e_shnum = struct.unpack_from("<HH", elf, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", elf, e_shoff + i * e_shentsize) for i in range(e_shnum)]
        for _, sh_type, _, _, sh_offset, _, sh_link, sh_info, _, _ in sections:
            if sh_type != SHT_GNU_VERNEED:
                continue
            strtab_offset = sections[sh_link][4]
            need = sh_offset
            for _ in range(sh_info):
                _, vn_cnt, _, vn_aux, vn_next = struct.unpack_from("<HHIII", elf, need)
                aux = need + vn_aux
                for _ in range(vn_cnt):
                    _, flags, _, name, aux_next = struct.unpack_from("<IHHII", elf, aux)
                    start = strtab_offset + name
                    if elf[start:elf.index(b"\0", start)] == MISSING_VERSION:
                        if flags & VER_FLG_WEAK:
                            return False
                        struct.pack_into("<H", elf, aux + 4, flags | VER_FLG_WEAK)
                        f.seek(0)
                        f.write(elf)
                        return True
                    aux += aux_next
                need += vn_next
    sys.exit(f"repair.py: no {MISSING_VERSION.decode()} requirement found in {path}")


def needed_libraries(path: str) -> str:
    return subprocess.run(["patchelf", "--print-needed", path], capture_output=True, text=True, check=True).stdout


def main(native_dir: str) -> None:
    lib = os.path.join(native_dir, TORCHSHARP_LIB)
    if not os.path.exists(lib) or system_libstdcxx_has_version():
        return
    shim = os.path.join(native_dir, SHIM_LIB)
    if not os.path.exists(shim):
        source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ios_base_library_init.cpp")
        subprocess.run(["g++", "-shared", "-fPIC", "-O2", "-o", shim, source], check=True)
    mark_version_weak(lib)
    if SHIM_LIB not in needed_libraries(lib).split():
        subprocess.run(["patchelf", "--add-needed", SHIM_LIB, lib], check=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
