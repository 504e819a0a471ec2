using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>Makes TorchSharp 0.107's libLibTorchSharp.so load where libstdc++ lacks GLIBCXX_3.4.32 (Debian 12, GCC 12).
///
/// The library was built with GCC 13, whose &lt;iostream&gt; emits a reference to std::ios_base_library_init() tagged
/// GLIBCXX_3.4.32 so that the linker pulls in a new enough libstdc++. The reference is a bare `.globl`: no relocation
/// uses the symbol (readelf -r lists none), so nothing ever binds to it. Only the version requirement in
/// .gnu.version_r makes the dynamic loader refuse the file. Setting VER_FLG_WEAK on that one requirement makes a
/// missing version a note instead of an error, and the library loads; where libstdc++ has the version (GCC 13 and
/// newer) the flag changes nothing. So no shim library and no patchelf are needed: this task, compiled by the SDK's
/// own MSBuild, edits two bytes of the ELF file. Idempotent.
///
/// The file is replaced by a new one, never written in place: the build output's copy may be a hard link to the NuGet
/// package cache (Directory.Build.props), which must stay as the package shipped it.</summary>
public sealed class MarkVersionWeak : Task
{
    private const uint ShtGnuVerneed = 0x6FFFFFFE;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The ELF shared library to repair.</summary>
    [Required] public string Library { get; set; } = "";
    /// <summary>The version requirement to make weak, e.g. GLIBCXX_3.4.32.</summary>
    [Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        byte[] elf = File.ReadAllBytes(Library);
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogError($"{Library} is not a 64-bit little-endian ELF file");
            return false;
        }
        int? flags = FindRequirementFlags(elf);
        if (flags is null)
        {
            Log.LogError($"{Library} has no {Version} version requirement: a TorchSharp update changed it; review build/torchsharp-glibcxx");
            return false;
        }
        ushort current = BitConverter.ToUInt16(elf, flags.Value);
        if ((current & VerFlgWeak) != 0) return true;
        byte[] weak = BitConverter.GetBytes((ushort)(current | VerFlgWeak));
        elf[flags.Value] = weak[0];
        elf[flags.Value + 1] = weak[1];
        string temporary = Library + ".repair.tmp";
        File.WriteAllBytes(temporary, elf);
        // The time the copy step gave the file: it skips a file whose size and time match the package's, so the next
        // incremental build keeps this repaired file instead of linking the package's again for this task to repair.
        File.SetLastWriteTimeUtc(temporary, File.GetLastWriteTimeUtc(Library));
        // A rename over the old name (on Linux File.Replace without a backup is rename(2); the task factory compiles
        // against netstandard, which has no File.Move with overwrite): atomic, never a moment without the library, and it
        // replaces this name only, so a hard-linked package cache keeps the file it had.
        File.Replace(temporary, Library, destinationBackupFileName: null);
        Log.LogMessage(MessageImportance.Low, $"marked {Version} weak in {Library}");
        return true;
    }

    /// <summary>The file offset of vna_flags in the Elf64_Vernaux entry named <see cref="Version"/>, or null.</summary>
    private int? FindRequirementFlags(byte[] elf)
    {
        long sectionTable = (long)BitConverter.ToUInt64(elf, 0x28);      // e_shoff
        int entrySize = BitConverter.ToUInt16(elf, 0x3A), sections = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < sections; i++)
        {
            int header = checked((int)(sectionTable + (long)i * entrySize));
            if (BitConverter.ToUInt32(elf, header + 4) != ShtGnuVerneed) continue;
            int offset = checked((int)BitConverter.ToUInt64(elf, header + 0x18));      // sh_offset
            int link = (int)BitConverter.ToUInt32(elf, header + 0x28);                   // sh_link: the string table
            uint count = BitConverter.ToUInt32(elf, header + 0x2C);                      // sh_info: Elf64_Verneed entries
            int strings = checked((int)BitConverter.ToUInt64(elf, checked((int)(sectionTable + (long)link * entrySize)) + 0x18));
            int need = offset;
            for (uint n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    if (NameAt(elf, strings + (int)BitConverter.ToUInt32(elf, aux + 8)) == Version) return aux + 4;
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        return null;
    }

    private static string NameAt(byte[] elf, int start)
    {
        int end = Array.IndexOf(elf, (byte)0, start);
        return Encoding.ASCII.GetString(elf, start, end - start);
    }
}
