namespace EdgeLstm.Runtime.Format;

/// <summary>One tensor directory entry; <see cref="Offset"/> is relative to the start of the tensor data section.</summary>
public sealed record TensorEntry(
    string Name,
    TensorDType DType,
    TensorLayout Layout,
    TensorQuantization Quantization,
    uint ScaleIndex,
    long[] Shape,
    long Offset,
    long Length,
    long BlockCount,
    ulong Checksum)
{
    public long Rows => Shape[0];
    public long Columns => Shape.Length > 1 ? Shape[^1] : 1;

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape) n *= d;
            return n;
        }
    }

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
