namespace EdgeLstm.Runtime.SafeTensors;

/// <summary>One tensor's directory entry: dtype, shape and its byte range inside the data section.</summary>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long d in Shape) count *= d;
            return count;
        }
    }

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
