using System.Buffers.Binary;
using Onnx;

namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// An initializer or Constant tensor → <see cref="ConstantValue"/>: float32, int64 and int32 tensors, their numbers in
/// raw_data (little-endian) or the typed fields, every count checked against the dims. Other types become an
/// <see cref="OpaqueValue"/> (an error only if a node uses them); data kept outside the file is not read.
/// </summary>
internal static class OnnxTensorReader
{
    /// <summary>The most numbers one tensor may hold (1 G floats: far beyond any LSTM this tool converts).</summary>
    private const long MaxCount = 1L << 28;

    public static OnnxValue Read(TensorProto t, string source, string what)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            return new OpaqueValue($"{what} keeps its data in another file (external data); save the model with its weights inside");
        var dims = t.Dims.ToArray();
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw new ModelFormatException($"{source}: {what}: dims [{string.Join(", ", dims)}] has a negative entry");
            count = d == 0 ? 0 : count > MaxCount / d ? MaxCount + 1 : count * d;
        }
        if (count > MaxCount) throw new ModelFormatException($"{source}: {what}: dims [{string.Join(", ", dims)}] hold more than {MaxCount:N0} numbers");
        var type = (TensorProto.Types.DataType)t.DataType;
        byte[] raw = t.RawData.ToByteArray();
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
            {
                // Every count is checked against the data before anything is allocated: a file cannot ask for more memory than its own size.
                if (raw.Length > 0) Expect(source, raw.LongLength == 4 * count, what, $"raw_data has {raw.Length} bytes; dims [{string.Join(", ", dims)}] need {4 * count}");
                else Expect(source, t.FloatData.Count == count, what, $"float_data has {t.FloatData.Count} values; dims [{string.Join(", ", dims)}] need {count}");
                var values = new float[count];
                if (raw.Length > 0)
                {
                    for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4 * i));
                }
                else t.FloatData.CopyTo(values, 0);
                return new ConstantValue(dims, values, null);
            }
            case TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32:
            {
                int size = type == TensorProto.Types.DataType.Int64 ? 8 : 4;
                long stored = raw.Length > 0 ? raw.LongLength / size : size == 8 ? t.Int64Data.Count : t.Int32Data.Count;
                Expect(source, raw.Length > 0 ? raw.LongLength == size * count : stored == count, what,
                    raw.Length > 0 ? $"raw_data has {raw.Length} bytes; dims [{string.Join(", ", dims)}] need {size * count}"
                        : $"{(size == 8 ? "int64_data" : "int32_data")} has {stored} values; dims [{string.Join(", ", dims)}] need {count}");
                var values = new long[count];
                if (raw.Length > 0)
                {
                    for (int i = 0; i < values.Length; i++)
                        values[i] = size == 8 ? BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(8 * i)) : BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * i));
                }
                else if (size == 8) t.Int64Data.CopyTo(values, 0);
                else for (int i = 0; i < values.Length; i++) values[i] = t.Int32Data[i];
                return new ConstantValue(dims, null, values);
            }
            default:
                return new OpaqueValue($"{what} is of type {type}; the importer reads float32, int64 and int32 tensors");
        }
    }

    private static void Expect(string source, bool condition, string what, string why)
    {
        if (!condition) throw new ModelFormatException($"{source}: {what}: {why}");
    }
}
