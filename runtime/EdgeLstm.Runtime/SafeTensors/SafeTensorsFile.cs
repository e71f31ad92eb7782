using System.Buffers.Binary;

namespace EdgeLstm.Runtime.SafeTensors;

/// <summary>A parsed, validated safetensors file held in memory.</summary>
public sealed class SafeTensorsFile
{
    internal SafeTensorsFile(string source, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyDictionary<string, SafeTensorInfo> tensors, byte[] bytes, int dataStart)
    {
        Source = source;
        Metadata = metadata;
        Tensors = tensors;
        _bytes = bytes;
        _dataStart = dataStart;
    }

    private readonly byte[] _bytes;
    private readonly int _dataStart;

    /// <summary>The file name used in error messages.</summary>
    public string Source { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }
    public long FileLength => _bytes.Length;

    public ReadOnlySpan<byte> GetBytes(SafeTensorInfo tensor) =>
        _bytes.AsSpan(_dataStart + (int)tensor.Begin, (int)(tensor.End - tensor.Begin));

    /// <summary>The tensor's values widened to float32 (F32, F16 and BF16 are accepted).</summary>
    public float[] ReadFloats(SafeTensorInfo tensor)
    {
        ReadOnlySpan<byte> bytes = GetBytes(tensor);
        var values = new float[tensor.ElementCount];
        switch (tensor.DType)
        {
            case "F32":
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
                break;
            case "F16":
                for (int i = 0; i < values.Length; i++)
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.Slice(2 * i));
                break;
            case "BF16":
                for (int i = 0; i < values.Length; i++)
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(2 * i)) << 16);
                break;
            default:
                throw new ModelFormatException($"{Source}: tensor '{tensor.Name}' has dtype {tensor.DType}; expected F32, F16 or BF16");
        }
        return values;
    }
}
