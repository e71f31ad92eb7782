using System.Buffers.Binary;
using System.IO.Hashing;

namespace EdgeLstm.Tests;

/// <summary>
/// Recomputes every checksum of a (possibly mangled) .elstm file, so fuzzed structure gets past the checksum
/// checks and reaches the reader's structural validation. Best effort: anything out of range is left alone.
/// </summary>
internal static class ModelFileRehasher
{
    public static void Rehash(byte[] file)
    {
        if (file.Length < ModelFileLayout.HeaderSize) return;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(12));
        ulong table = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(24));
        if (count > ModelFileLayout.MaxSections || table > (ulong)file.Length || table + count * 32UL > (ulong)file.Length) return;
        long dataStart = -1;
        (long Offset, long Length) directory = (-1, 0);
        for (int i = 0; i < count; i++)
        {
            int e = (int)table + 32 * i;
            uint kind = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(e));
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(e + 8));
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(e + 16));
            if (offset > (ulong)file.Length || length > (ulong)file.Length - offset) continue;
            if (kind == (uint)SectionKind.TensorData && dataStart < 0) dataStart = (long)offset;
            if (kind == (uint)SectionKind.TensorDirectory && directory.Offset < 0) directory = ((long)offset, (long)length);
        }
        if (dataStart >= 0 && directory.Offset >= 0) RehashTensors(file, directory.Offset, directory.Length, dataStart);
        for (int i = 0; i < count; i++)
        {
            int e = (int)table + 32 * i;
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(e + 8));
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(e + 16));
            if (offset > (ulong)file.Length || length > (ulong)file.Length - offset) continue;
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(e + 24), XxHash64.HashToUInt64(file.AsSpan((int)offset, (int)length)));
        }
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(ModelFileLayout.HeaderChecksumOffset), ModelFileWriter.HeaderChecksum(file, (long)table, (int)count));
    }

    private static void RehashTensors(byte[] file, long at, long length, long dataStart)
    {
        long end = at + length;
        if (end - at < 4) return;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)at));
        at += 4;
        for (uint i = 0; i < count && i < ModelFileLayout.MaxTensors; i++)
        {
            if (end - at < 2) return;
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan((int)at));
            at += 2 + nameLength;
            if (end - at < 8) return;
            int rank = file[at + 3];
            at += 8;
            if (rank > ModelFileLayout.MaxRank || end - at < 8L * rank + 32) return;
            at += 8L * rank;
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan((int)at));
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan((int)at + 8));
            long hashAt = at + 24;
            at += 32;
            if (offset > (ulong)(file.Length - dataStart) || size > (ulong)(file.Length - dataStart) - offset) continue;
            BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan((int)hashAt), XxHash64.HashToUInt64(file.AsSpan((int)(dataStart + (long)offset), (int)size)));
        }
    }
}
