using System.Buffers.Binary;
using System.Text.Json;

namespace EdgeLstm.Runtime.SafeTensors;

/// <summary>Writes float32 tensors and string metadata as safetensors, through a temporary file and a rename.</summary>
public static class SafeTensorsWriter
{
    public sealed record Tensor(string Name, long[] Shape, float[] Values);

    public static void Write(string path, IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string> metadata) =>
        AtomicFile.WriteAllBytes(path, Serialize(tensors, metadata));

    public static byte[] Serialize(IReadOnlyList<Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                writer.WriteString(key, value);
            writer.WriteEndObject();
            long offset = 0;
            foreach (Tensor tensor in tensors)
            {
                long count = 1;
                foreach (long d in tensor.Shape) count *= d;
                if (count != tensor.Values.Length)
                    throw new ArgumentException($"tensor '{tensor.Name}': shape holds {count} values, array has {tensor.Values.Length}");
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (long d in tensor.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + 4 * count);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += 4 * count;
            }
            writer.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data section is aligned, as the reference writer does.
        int headerLength = (int)((json.Length + 7) / 8 * 8);
        using var output = new MemoryStream();
        Span<byte> lengthBytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)headerLength);
        output.Write(lengthBytes);
        output.Write(json.GetBuffer(), 0, (int)json.Length);
        for (long i = json.Length; i < headerLength; i++) output.WriteByte((byte)' ');
        foreach (Tensor tensor in tensors)
            output.Write(MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
        return output.ToArray();
    }

}
