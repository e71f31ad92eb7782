using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;

namespace EdgeLstm.Runtime.Format;

/// <summary>
/// Reads and validates an .elstm file. Every field is checked (bounds, overflow, alignment, checksums,
/// consistent shapes) before anything uses it; each problem is a <see cref="ModelFormatException"/> whose
/// one-line message names the file and the field.
/// </summary>
public static class ModelFileReader
{
    public const long MaxFileBytes = int.MaxValue - 64;
    private const ulong MaxElements = 1UL << 40;

    public static bool HasMagic(ReadOnlySpan<byte> prefix) => prefix.StartsWith(ModelFileLayout.Magic);

    public static ModelFile Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        if (info.Length > MaxFileBytes) throw new ModelFormatException($"{info.Name}: file is {info.Length} bytes; the limit is {MaxFileBytes}");
        // Too short to hold a header: read it, so the error is the same as for any other short input.
        if (info.Length < ModelFileLayout.HeaderSize) return Parse(File.ReadAllBytes(path), info.Name);
        var mapped = new MappedFileMemory(path, (int)info.Length);
        try
        {
            return Parse(mapped.Memory, info.Name, mapped);
        }
        catch
        {
            ((IDisposable)mapped).Dispose();
            throw;
        }
    }

    public static ModelFile Parse(byte[] file, string source) => Parse(file.AsMemory(), source);

    /// <summary>Validates <paramref name="memory"/> (a byte array or a memory-mapped file) and views the tensors in it.</summary>
    public static ModelFile Parse(ReadOnlyMemory<byte> memory, string source) => Parse(memory, source, mapping: null);

    private static ModelFile Parse(ReadOnlyMemory<byte> memory, string source, IDisposable? mapping)
    {
        ReadOnlySpan<byte> file = memory.Span;
        if (file.Length < ModelFileLayout.HeaderSize)
            throw Fail(source, $"file is {file.Length} bytes, shorter than the {ModelFileLayout.HeaderSize}-byte header");
        if (!HasMagic(file)) throw Fail(source, "magic is not \"EDGELSTM\"; this is not an .elstm file");
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(file[10..]);
        if (major != ModelFileLayout.MajorVersion)
            throw Fail(source, major > ModelFileLayout.MajorVersion
                ? $"format version {major}.{minor} is newer than this reader ({ModelFileLayout.MajorVersion}.x); upgrade edgelstm"
                : $"format version {major}.{minor} is not supported (this reader reads {ModelFileLayout.MajorVersion}.x)");
        uint sectionCount = BinaryPrimitives.ReadUInt32LittleEndian(file[12..]);
        ulong fileSize = BinaryPrimitives.ReadUInt64LittleEndian(file[16..]);
        ulong tableOffset = BinaryPrimitives.ReadUInt64LittleEndian(file[24..]);
        if (fileSize != (ulong)file.Length)
            throw Fail(source, $"header says the file is {fileSize} bytes but it is {file.Length} (truncated or padded?)");
        if (sectionCount is 0 or > ModelFileLayout.MaxSections)
            throw Fail(source, $"section count {sectionCount} is outside 1..{ModelFileLayout.MaxSections}");
        // Written so nothing can overflow: the offset is compared with the file before anything is added to it.
        if (tableOffset < ModelFileLayout.HeaderSize || tableOffset > (ulong)file.Length
            || sectionCount * (ulong)ModelFileLayout.SectionEntrySize > (ulong)file.Length - tableOffset)
            throw Fail(source, $"section table at {tableOffset} ({sectionCount} entries) lies outside the file");
        ulong headerHash = BinaryPrimitives.ReadUInt64LittleEndian(file[ModelFileLayout.HeaderChecksumOffset..]);
        if (headerHash != ModelFileWriter.HeaderChecksum(file, (long)tableOffset, (int)sectionCount))
            throw Fail(source, "header checksum mismatch (the header or section table is corrupt)");

        ReadOnlySpan<byte> metadataBytes = default, directoryBytes = default;
        long dataStart = -1, dataLength = 0;
        var claimed = new List<(long Start, long End)>();
        claimed.Add((0, (long)tableOffset + sectionCount * ModelFileLayout.SectionEntrySize));
        for (int i = 0; i < sectionCount; i++)
        {
            ReadOnlySpan<byte> entry = file.Slice((int)tableOffset + i * ModelFileLayout.SectionEntrySize, ModelFileLayout.SectionEntrySize);
            uint kind = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
            ulong hash = BinaryPrimitives.ReadUInt64LittleEndian(entry[24..]);
            if (offset > (ulong)file.Length || length > (ulong)file.Length - offset)
                throw Fail(source, $"section {i} (kind {kind}) at {offset}+{length} lies outside the {file.Length}-byte file");
            claimed.Add(((long)offset, (long)(offset + length)));
            ReadOnlySpan<byte> body = file.Slice((int)offset, (int)length);
            if (XxHash64.HashToUInt64(body) != hash)
                throw Fail(source, $"section {i} (kind {kind}) checksum mismatch (corrupt data)");
            switch ((SectionKind)kind)
            {
                case SectionKind.Metadata when metadataBytes.IsEmpty: metadataBytes = body; break;
                case SectionKind.TensorDirectory when directoryBytes.IsEmpty: directoryBytes = body; break;
                case SectionKind.TensorData when dataStart < 0:
                    if (offset % ModelFileLayout.Alignment != 0)
                        throw Fail(source, $"tensor data section at {offset} is not {ModelFileLayout.Alignment}-byte aligned");
                    dataStart = (long)offset;
                    dataLength = (long)length;
                    break;
                case SectionKind.Metadata or SectionKind.TensorDirectory or SectionKind.TensorData:
                    throw Fail(source, $"section kind {kind} appears twice");
                default:
                    if ((flags & ModelFileLayout.SectionRequiredFlag) != 0)
                        throw Fail(source, $"section {i} has unknown kind {kind} marked required; a newer edgelstm wrote it");
                    break; // optional sections this reader does not know are skipped
            }
        }
        if (metadataBytes.IsEmpty) throw Fail(source, "metadata section is missing");
        if (directoryBytes.IsEmpty) throw Fail(source, "tensor directory section is missing");
        if (dataStart < 0) throw Fail(source, "tensor data section is missing");
        CheckNoOverlap(claimed, source, "sections");

        CompactModelMetadata metadata;
        try
        {
            metadata = JsonSerializer.Deserialize(metadataBytes, RuntimeJsonContext.Default.CompactModelMetadata)
                ?? throw Fail(source, "metadata is null");
        }
        catch (JsonException e)
        {
            throw Fail(source, $"metadata is not valid JSON ({e.Message})");
        }
        TensorEntry[] tensors = ReadDirectory(directoryBytes, dataLength, source);
        var model = new ModelFile(source, memory, mapping, minor, metadata, tensors, dataStart);
        CheckTensors(model, source);
        return model;
    }

    private static TensorEntry[] ReadDirectory(ReadOnlySpan<byte> d, long dataLength, string source)
    {
        int at = 0;
        uint count = ReadU32(d, ref at, source, "tensor count");
        if (count > ModelFileLayout.MaxTensors) throw Fail(source, $"tensor count {count} exceeds {ModelFileLayout.MaxTensors}");
        var tensors = new TensorEntry[count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            int nameLength = ReadU16(d, ref at, source, $"tensor {i} name length");
            if (nameLength is 0 or > ModelFileLayout.MaxNameBytes || nameLength > d.Length - at)
                throw Fail(source, $"tensor {i} name length {nameLength} is outside 1..{ModelFileLayout.MaxNameBytes} or past the directory");
            string name;
            try { name = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(d.Slice(at, nameLength)); }
            catch (DecoderFallbackException) { throw Fail(source, $"tensor {i} name is not valid UTF-8"); }
            at += nameLength;
            foreach (char ch in name)
                if (char.IsControl(ch)) throw Fail(source, $"tensor {i} name has a control character (U+{(int)ch:X4})");
            if (!names.Add(name)) throw Fail(source, $"tensor '{name}' appears twice");
            if (d.Length - at < 8) throw Fail(source, $"tensor '{name}': directory entry is truncated");
            var dtype = (TensorDType)d[at];
            var layout = (TensorLayout)d[at + 1];
            var quant = (TensorQuantization)d[at + 2];
            int rank = d[at + 3];
            at += 4;
            uint scale = ReadU32(d, ref at, source, $"tensor '{name}' scale index");
            if (dtype is not (TensorDType.F32 or TensorDType.I8 or TensorDType.I4)) throw Fail(source, $"tensor '{name}' has unknown dtype {(byte)dtype}");
            if (layout is not (TensorLayout.Dense or TensorLayout.BlockSparse16 or TensorLayout.BlockSparse16Aligned or TensorLayout.Int4Panels)) throw Fail(source, $"tensor '{name}' has unknown layout {(byte)layout}");
            if (quant is not (TensorQuantization.None or TensorQuantization.SymmetricPerRow or TensorQuantization.SymmetricPerRowGroup)) throw Fail(source, $"tensor '{name}' has unknown quantization {(byte)quant}");
            if ((dtype == TensorDType.I4) != (layout == TensorLayout.Int4Panels) || (dtype == TensorDType.I4) != (quant == TensorQuantization.SymmetricPerRowGroup))
                throw Fail(source, $"tensor '{name}': dtype I4, layout 3 and quantization 2 go together (got {dtype}, layout {(byte)layout}, quantization {(byte)quant})");
            if (rank is 0 or > ModelFileLayout.MaxRank) throw Fail(source, $"tensor '{name}' rank {rank} is outside 1..{ModelFileLayout.MaxRank}");
            var shape = new long[rank];
            long elements = 1;
            for (int k = 0; k < rank; k++)
            {
                ulong dim = ReadU64(d, ref at, source, $"tensor '{name}' shape");
                // Bounded so the products below cannot overflow; the exact byte length is checked after the shape.
                // (A block-sparse tensor stores only some blocks, so its element count may exceed the data section.)
                if (dim == 0 || dim > int.MaxValue || (ulong)elements > MaxElements / dim)
                    throw Fail(source, $"tensor '{name}' shape dimension {k} = {dim} is zero or too large");
                shape[k] = (long)dim;
                elements *= (long)dim;
            }
            ulong offset = ReadU64(d, ref at, source, $"tensor '{name}' offset");
            ulong length = ReadU64(d, ref at, source, $"tensor '{name}' length");
            ulong blocks = ReadU64(d, ref at, source, $"tensor '{name}' block count");
            ulong hash = ReadU64(d, ref at, source, $"tensor '{name}' checksum");
            if (offset % ModelFileLayout.Alignment != 0) throw Fail(source, $"tensor '{name}' offset {offset} is not {ModelFileLayout.Alignment}-byte aligned");
            if (offset > (ulong)dataLength || length > (ulong)dataLength - offset)
                throw Fail(source, $"tensor '{name}' bytes {offset}+{length} lie outside the {dataLength}-byte data section");
            long expected = layout == TensorLayout.Dense ? elements * (dtype == TensorDType.F32 ? 4 : 1)
                : layout == TensorLayout.Int4Panels ? Int4ExpectedLength(name, shape, blocks, source)
                : BlockSparseExpectedLength(name, dtype, layout, shape, blocks, dataLength, source);
            if ((ulong)expected != length) throw Fail(source, $"tensor '{name}' is {length} bytes; {dtype} {layout} {FormatShape(shape)} needs {expected}");
            tensors[i] = new TensorEntry(name, dtype, layout, quant, scale, shape, (long)offset, (long)length, (long)blocks, hash);
        }
        if (at != d.Length) throw Fail(source, $"tensor directory has {d.Length - at} unexpected trailing bytes");
        return tensors;
    }

    private static long Int4ExpectedLength(string name, long[] shape, ulong blocks, string source)
    {
        if (shape.Length != 2 || shape[1] % Int4Panels.GroupColumns != 0 || shape[1] > Int4Panels.MaxColumns)
            throw Fail(source, $"tensor '{name}': int4 needs a 2-D shape whose column count is a multiple of {Int4Panels.GroupColumns} up to {Int4Panels.MaxColumns}, got {FormatShape(shape)}");
        if (blocks != 0) throw Fail(source, $"tensor '{name}': block count {blocks} must be 0 for int4");
        return Int4Panels.ByteLength(shape[0], shape[1]);
    }

    private static long BlockSparseExpectedLength(string name, TensorDType dtype, TensorLayout layout, long[] shape, ulong blocks, long dataLength, string source)
    {
        if (dtype != TensorDType.I8 || shape.Length != 2) throw Fail(source, $"tensor '{name}': block-sparse layout needs a 2-D I8 tensor");
        if (shape[1] % ModelFileLayout.BlockWidth != 0) throw Fail(source, $"tensor '{name}': block-sparse column count {shape[1]} is not a multiple of 16");
        if (shape[1] / ModelFileLayout.BlockWidth > ushort.MaxValue + 1L) throw Fail(source, $"tensor '{name}': too many columns for 16-bit block indices");
        if (blocks > (ulong)(shape[0] * (shape[1] / ModelFileLayout.BlockWidth)))
            throw Fail(source, $"tensor '{name}': block count {blocks} exceeds rows × blocks per row");
        if ((ulong)shape[0] + 1 > (ulong)dataLength / 4 || blocks > (ulong)dataLength / ModelFileLayout.BlockWidth)
            throw Fail(source, $"tensor '{name}': {shape[0]} rows and {blocks} blocks cannot fit the {dataLength}-byte data section");
        return BlockSparseLayout.ByteLength(shape[0], (long)blocks, layout);
    }

    private static void CheckTensors(ModelFile model, string source)
    {
        var ranges = new List<(long, long)>();
        foreach (TensorEntry t in model.Tensors)
        {
            ranges.Add((t.Offset, t.Offset + t.Length));
            if (XxHash64.HashToUInt64(model.Bytes(t)) != t.Checksum)
                throw Fail(source, $"tensor '{t.Name}' checksum mismatch (corrupt data)");
            if (t.Quantization is TensorQuantization.SymmetricPerRow or TensorQuantization.SymmetricPerRowGroup)
            {
                if (t.Quantization == TensorQuantization.SymmetricPerRow && t.DType != TensorDType.I8) throw Fail(source, $"tensor '{t.Name}': per-row quantization needs dtype I8");
                if (t.ScaleIndex >= model.Tensors.Count) throw Fail(source, $"tensor '{t.Name}': scale index {t.ScaleIndex} is not a tensor");
                TensorEntry scale = model.Tensors[(int)t.ScaleIndex];
                if (scale.DType != TensorDType.F32 || scale.Layout != TensorLayout.Dense || scale.Shape.Length != 1 || scale.Shape[0] != t.Rows)
                    throw Fail(source, $"tensor '{t.Name}': scale tensor '{scale.Name}' must be F32 [{t.Rows}], is {scale.DType} {scale.ShapeText}");
                foreach (float s in model.Floats(scale))
                    if (!float.IsFinite(s) || s < 0) throw Fail(source, $"tensor '{scale.Name}' holds a scale that is negative or not finite");
            }
            else if (t.ScaleIndex != ModelFileLayout.NoScale)
            {
                throw Fail(source, $"tensor '{t.Name}' names a scale tensor but is not quantized");
            }
            if (t.DType == TensorDType.I8)
            {
                ReadOnlySpan<sbyte> values = t.Layout == TensorLayout.Dense ? model.SBytes(t) : new BlockSparseLayout(model.Bytes(t), t.Rows, t.BlockCount, t.Layout).Values;
                if (values.Contains(sbyte.MinValue)) throw Fail(source, $"tensor '{t.Name}' holds -128; int8 values must lie in [-127, 127]");
            }
            if (t.DType == TensorDType.I4 && new Int4Panels(model.Bytes(t), (int)t.Rows, (int)t.Columns).Check() is string wrong)
                throw Fail(source, $"tensor '{t.Name}': {wrong}");
            if (t.Layout is TensorLayout.BlockSparse16 or TensorLayout.BlockSparse16Aligned && new BlockSparseLayout(model.Bytes(t), t.Rows, t.BlockCount, t.Layout).Check(t.Columns) is string problem)
                throw Fail(source, $"tensor '{t.Name}': {problem}");
        }
        CheckNoOverlap(ranges, source, "tensors");
    }

    private static void CheckNoOverlap(List<(long Start, long End)> ranges, string source, string what)
    {
        ranges.Sort();
        for (int i = 1; i < ranges.Count; i++)
            if (ranges[i].Start < ranges[i - 1].End && ranges[i].End > ranges[i].Start && ranges[i - 1].End > ranges[i - 1].Start)
                throw Fail(source, $"{what} overlap at bytes {ranges[i].Start}..{ranges[i - 1].End}");
    }

    private static string FormatShape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static ModelFormatException Fail(string source, string message) => new($"{source}: {message}");

    private static ushort ReadU16(ReadOnlySpan<byte> d, ref int at, string source, string field)
    {
        if (d.Length - at < 2) throw Fail(source, $"{field}: tensor directory is truncated");
        ushort v = BinaryPrimitives.ReadUInt16LittleEndian(d[at..]);
        at += 2;
        return v;
    }

    private static uint ReadU32(ReadOnlySpan<byte> d, ref int at, string source, string field)
    {
        if (d.Length - at < 4) throw Fail(source, $"{field}: tensor directory is truncated");
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(d[at..]);
        at += 4;
        return v;
    }

    private static ulong ReadU64(ReadOnlySpan<byte> d, ref int at, string source, string field)
    {
        if (d.Length - at < 8) throw Fail(source, $"{field}: tensor directory is truncated");
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(d[at..]);
        at += 8;
        return v;
    }
}
