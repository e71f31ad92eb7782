using System.Buffers.Binary;
using System.Text.Json;

namespace EdgeLstm.Runtime.SafeTensors;

/// <summary>
/// Reads the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the
/// data section. Every field is checked before use; problems raise <see cref="ModelFormatException"/>
/// with a one-line message naming the file and the field.
/// </summary>
public static class SafeTensorsReader
{
    /// <summary>The reference implementation refuses headers above 100 MB; so do we.</summary>
    public const long MaxHeaderBytes = 100_000_000;
    /// <summary>The float models here are a few MB; this bound keeps a bad path from exhausting memory.</summary>
    public const long MaxFileBytes = int.MaxValue - 64;

    public static SafeTensorsFile Read(string path)
    {
        string source = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
            if (info.Length > MaxFileBytes)
                throw new ModelFormatException($"{source}: file is {info.Length} bytes; the limit is {MaxFileBytes}");
            bytes = File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"{path}: cannot read ({e.Message})", e);
        }
        return Parse(bytes, source);
    }

    public static SafeTensorsFile Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 8)
            throw new ModelFormatException($"{source}: file is {bytes.Length} bytes, too short for the 8-byte safetensors header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength < 2 || headerLength > MaxHeaderBytes)
            throw new ModelFormatException($"{source}: header length {headerLength} is outside 2..{MaxHeaderBytes}; this is not a safetensors file");
        if (headerLength > (ulong)(bytes.Length - 8))
            throw new ModelFormatException($"{source}: header length {headerLength} exceeds the {bytes.Length - 8} bytes after it (truncated file?)");
        int dataStart = 8 + (int)headerLength;
        long dataLength = bytes.Length - dataStart;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException($"{source}: header is not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException($"{source}: header must be a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var tensors = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                    ReadMetadata(property.Value, metadata, source);
                else if (!tensors.TryAdd(property.Name, ReadTensor(property, dataLength, source)))
                    throw new ModelFormatException($"{source}: tensor '{property.Name}' appears twice in the header");
            }
            CheckNoOverlap(tensors.Values, source);
            return new SafeTensorsFile(source, metadata, tensors, bytes, dataStart);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException($"{source}: __metadata__ must be an object of strings");
        foreach (JsonProperty entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new ModelFormatException($"{source}: __metadata__ entry '{entry.Name}' must be a string");
            metadata[entry.Name] = entry.Value.GetString()!;
        }
    }

    private static SafeTensorInfo ReadTensor(JsonProperty property, long dataLength, string source)
    {
        string name = property.Name;
        JsonElement value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException($"{source}: tensor '{name}' must be an object with dtype, shape and data_offsets");
        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new ModelFormatException($"{source}: tensor '{name}' has no string 'dtype'");
        string dtype = dtypeElement.GetString()!;
        int elementSize = DTypeSize(dtype)
            ?? throw new ModelFormatException($"{source}: tensor '{name}' has unknown dtype '{dtype}'");

        if (!value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new ModelFormatException($"{source}: tensor '{name}' has no 'shape' array");
        var shape = new long[shapeElement.GetArrayLength()];
        long elements = 1;
        int i = 0;
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
                throw new ModelFormatException($"{source}: tensor '{name}' shape entry {i} must be a non-negative integer");
            shape[i++] = dim;
            // The product is bounded by the data length, so checking as we go also rules out overflow.
            if (dim != 0 && elements > dataLength / dim)
                throw new ModelFormatException($"{source}: tensor '{name}' shape {FormatShape(shape, i)}... needs more bytes than the {dataLength}-byte data section holds");
            elements *= dim;
        }

        if (!value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
            throw new ModelFormatException($"{source}: tensor '{name}' needs 'data_offsets' as [begin, end] integers");
        if (begin < 0 || end < begin || end > dataLength)
            throw new ModelFormatException($"{source}: tensor '{name}' data_offsets [{begin}, {end}] lie outside the {dataLength}-byte data section (truncated file?)");
        if (elements > long.MaxValue / elementSize || end - begin != elements * elementSize)
            throw new ModelFormatException($"{source}: tensor '{name}' is {end - begin} bytes but dtype {dtype} with shape {FormatShape(shape, shape.Length)} needs {elements * elementSize}");
        foreach (JsonProperty extra in value.EnumerateObject())
            if (extra.Name is not ("dtype" or "shape" or "data_offsets"))
                throw new ModelFormatException($"{source}: tensor '{name}' has unknown field '{extra.Name}'");
        return new SafeTensorInfo(name, dtype, shape, begin, end);
    }

    private static void CheckNoOverlap(IEnumerable<SafeTensorInfo> tensors, string source)
    {
        var sorted = tensors.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ToArray();
        for (int i = 1; i < sorted.Length; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw new ModelFormatException($"{source}: tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap in the data section");
    }

    private static string FormatShape(long[] shape, int count) => "[" + string.Join(", ", shape.Take(count)) + "]";

    private static int? DTypeSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => null,
    };
}
