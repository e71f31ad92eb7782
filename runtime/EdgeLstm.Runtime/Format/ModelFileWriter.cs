using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;

namespace EdgeLstm.Runtime.Format;

/// <summary>Serialises metadata and tensors into the .elstm format (docs/format.md).</summary>
public static class ModelFileWriter
{
    /// <summary>A tensor to write; <see cref="ScaleName"/> names the F32 tensor holding its per-row scales.</summary>
    public sealed record Tensor(string Name, TensorDType DType, TensorLayout Layout, long[] Shape, byte[] Data,
        TensorQuantization Quantization = TensorQuantization.None, string? ScaleName = null, long BlockCount = 0);

    /// <summary>A section this writer does not interpret (a later minor version's addition); readers skip it unless it is required.</summary>
    public sealed record ExtraSection(uint Kind, bool Required, byte[] Body);

    public static byte[] Serialize(CompactModelMetadata metadata, IReadOnlyList<Tensor> tensors, IReadOnlyList<ExtraSection>? extraSections = null)
    {
        extraSections ??= [];
        byte[] metadataBytes = JsonSerializer.SerializeToUtf8Bytes(metadata, RuntimeJsonContext.Default.CompactModelMetadata);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
            if (!index.TryAdd(tensors[i].Name, i)) throw new ArgumentException($"tensor '{tensors[i].Name}' is listed twice");

        // Tensor data: each tensor starts on a 64-byte boundary relative to the section start.
        var offsets = new long[tensors.Count];
        long dataLength = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            offsets[i] = Align(dataLength);
            dataLength = offsets[i] + tensors[i].Data.Length;
        }

        using var directory = new MemoryStream();
        WriteU32(directory, (uint)tensors.Count);
        for (int i = 0; i < tensors.Count; i++)
        {
            Tensor t = tensors[i];
            byte[] name = Encoding.UTF8.GetBytes(t.Name);
            if (name.Length is 0 or > ModelFileLayout.MaxNameBytes) throw new ArgumentException($"tensor name '{t.Name}' must be 1..{ModelFileLayout.MaxNameBytes} bytes");
            WriteU16(directory, (ushort)name.Length);
            directory.Write(name);
            directory.WriteByte((byte)t.DType);
            directory.WriteByte((byte)t.Layout);
            directory.WriteByte((byte)t.Quantization);
            directory.WriteByte((byte)t.Shape.Length);
            uint scale = t.ScaleName is null ? ModelFileLayout.NoScale
                : index.TryGetValue(t.ScaleName, out int s) ? (uint)s : throw new ArgumentException($"scale tensor '{t.ScaleName}' of '{t.Name}' is not in the file");
            WriteU32(directory, scale);
            foreach (long d in t.Shape) WriteU64(directory, (ulong)d);
            WriteU64(directory, (ulong)offsets[i]);
            WriteU64(directory, (ulong)t.Data.Length);
            WriteU64(directory, (ulong)t.BlockCount);
            WriteU64(directory, XxHash64.HashToUInt64(t.Data));
        }
        byte[] directoryBytes = directory.ToArray();

        int tableOffset = ModelFileLayout.HeaderSize;
        int sectionCount = 3 + extraSections.Count;
        long metadataOffset = tableOffset + sectionCount * ModelFileLayout.SectionEntrySize;
        long directoryOffset = metadataOffset + metadataBytes.Length;
        long extraOffset = directoryOffset + directoryBytes.Length;
        long dataOffset = Align(extraOffset + extraSections.Sum(e => (long)e.Body.Length));
        long fileSize = dataOffset + dataLength;

        var file = new byte[fileSize];
        ModelFileLayout.Magic.CopyTo(file);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), ModelFileLayout.MajorVersion);
        // The oldest minor version whose features the file uses, so older 1.x readers still read every file they can.
        ushort minor = tensors.Any(t => t.DType == TensorDType.I4) ? (ushort)2
            : tensors.Any(t => t.Layout == TensorLayout.BlockSparse16Aligned) ? (ushort)1 : (ushort)0;
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(10), minor);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(12), (uint)sectionCount);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(16), (ulong)fileSize);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(24), (ulong)tableOffset);

        metadataBytes.CopyTo(file, metadataOffset);
        directoryBytes.CopyTo(file, directoryOffset);
        for (int i = 0; i < tensors.Count; i++) tensors[i].Data.CopyTo(file, dataOffset + offsets[i]);

        WriteSection(file, tableOffset, 0, SectionKind.Metadata, metadataOffset, metadataBytes.Length);
        WriteSection(file, tableOffset, 1, SectionKind.TensorDirectory, directoryOffset, directoryBytes.Length);
        WriteSection(file, tableOffset, 2, SectionKind.TensorData, dataOffset, dataLength);
        for (int i = 0; i < extraSections.Count; i++)
        {
            extraSections[i].Body.CopyTo(file, extraOffset);
            WriteSection(file, tableOffset, 3 + i, (SectionKind)extraSections[i].Kind, extraOffset, extraSections[i].Body.Length,
                extraSections[i].Required ? ModelFileLayout.SectionRequiredFlag : 0);
            extraOffset += extraSections[i].Body.Length;
        }
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(ModelFileLayout.HeaderChecksumOffset), HeaderChecksum(file, tableOffset, sectionCount));
        return file;
    }

    /// <summary>xxHash64 of the first 56 header bytes followed by the section table.</summary>
    public static ulong HeaderChecksum(ReadOnlySpan<byte> file, long tableOffset, int sectionCount)
    {
        var hash = new XxHash64();
        hash.Append(file[..ModelFileLayout.HeaderChecksumOffset]);
        hash.Append(file.Slice((int)tableOffset, sectionCount * ModelFileLayout.SectionEntrySize));
        return hash.GetCurrentHashAsUInt64();
    }

    private static void WriteSection(byte[] file, int tableOffset, int i, SectionKind kind, long offset, long length, uint flags = ModelFileLayout.SectionRequiredFlag)
    {
        Span<byte> entry = file.AsSpan(tableOffset + i * ModelFileLayout.SectionEntrySize, ModelFileLayout.SectionEntrySize);
        BinaryPrimitives.WriteUInt32LittleEndian(entry, (uint)kind);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], flags);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[16..], (ulong)length);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[24..], XxHash64.HashToUInt64(file.AsSpan((int)offset, (int)length)));
    }

    private static long Align(long n) => (n + ModelFileLayout.Alignment - 1) / ModelFileLayout.Alignment * ModelFileLayout.Alignment;

    private static void WriteU16(Stream s, ushort v) { Span<byte> b = stackalloc byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, v); s.Write(b); }
    private static void WriteU32(Stream s, uint v) { Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); s.Write(b); }
    private static void WriteU64(Stream s, ulong v) { Span<byte> b = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); s.Write(b); }
}
