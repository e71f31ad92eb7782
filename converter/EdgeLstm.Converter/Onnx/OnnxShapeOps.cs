namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// The shape arithmetic a dynamic-length export adds around an LSTM (Shape, Gather, Unsqueeze, Concat, Slice,
/// ConstantOfShape, Expand, Cast): followed symbolically, so that PyTorch's zero initial states are recognised as zeros.
/// </summary>
internal static class OnnxShapeOps
{
    /// <summary>An integer scalar or vector: a computed shape, or integer constants of rank 0 or 1.</summary>
    public static ShapeValue? AsShape(OnnxValue? v) => v switch
    {
        ShapeValue s => s,
        ConstantValue { Ints: { } ints, Dims.Length: <= 1 } c => new ShapeValue(Array.ConvertAll(ints, i => new Dim(i)), c.Dims.Length == 0),
        _ => null,
    };

    /// <summary>Integer constants (also a computed shape whose entries are all known).</summary>
    public static long[]? ConstInts(OnnxValue? v) => AsShape(v) is { } s && Array.TrueForAll(s.Entries, e => e.IsKnown) ? Array.ConvertAll(s.Entries, e => e.Value) : null;

    public static bool IsZeros(OnnxValue? v) => v is ZeroValue || v is ConstantValue { IsZero: true };

    public static OnnxValue Shape(OnnxNode node, OnnxValue? input, long[] inputDims)
    {
        node.OnlyAttributes();
        return input switch
        {
            ActivationValue a => new ShapeValue(a.Axes.Select((axis, i) => axis.Kind switch
            {
                AxisKind.Input0 or AxisKind.Input1 => inputDims[(int)axis.Kind] >= 0 ? new Dim(inputDims[(int)axis.Kind]) : new Dim(0, (int)axis.Kind),
                _ => new Dim(axis.Size),
            }).ToArray(), Scalar: false),
            ConstantValue c => new ShapeValue(Array.ConvertAll(c.Dims, d => new Dim(d)), Scalar: false),
            _ => Unsupported(node, "reads the shape of activations or constants only"),
        };
    }

    /// <summary>Gather on a shape: entries picked by constant indices.</summary>
    public static OnnxValue Gather(OnnxNode node, ShapeValue shape, OnnxValue? indices)
    {
        node.OnlyAttributes("axis");
        node.Expect(node.Int("axis", 0) == 0 && !shape.Scalar, "Gather on a shape must take entries of the vector (axis 0)");
        var picked = AsShape(indices);
        long[]? at = ConstInts(indices);
        node.Expect(picked is not null && at is not null, "Gather on a shape needs constant indices");
        var entries = new Dim[at.Length];
        for (int i = 0; i < at.Length; i++) entries[i] = shape.Entries[node.Axis(at[i], shape.Entries.Length, "index")];
        return new ShapeValue(entries, picked.Scalar);
    }

    public static OnnxValue Unsqueeze(OnnxNode node, OnnxValue? input, OnnxValue? axesInput)
    {
        node.OnlyAttributes("axes");
        if (IsZeros(input)) return ZeroValue.Instance;
        long[]? axes = node.Ints("axes") ?? ConstInts(axesInput);
        var s = AsShape(input);
        node.Expect(s is { Scalar: true } && axes is [0 or -1], "Unsqueeze is supported on zeros and on a scalar of a shape (axes [0])");
        return s with { Scalar = false };
    }

    public static OnnxValue Concat(OnnxNode node, OnnxValue?[] inputs)
    {
        node.OnlyAttributes("axis");
        var parts = inputs.Select(AsShape).ToArray();
        node.Expect(Array.TrueForAll(parts, p => p is { Scalar: false }) && node.Int("axis", 0) is 0 or -1,
            "Concat is supported on shape vectors only (joining activations is not supported)");
        return new ShapeValue(parts.SelectMany(p => p!.Entries).ToArray(), Scalar: false);
    }

    public static OnnxValue ConstantOfShape(OnnxNode node, OnnxValue? shape)
    {
        node.OnlyAttributes("value");
        node.Expect(AsShape(shape) is { Scalar: false }, "its input must be a shape vector");
        var value = node.Tensor("value");
        if (value is not null)
        {
            var v = OnnxTensorReader.Read(value, node.Source, $"node '{node.Label}' attribute 'value'");
            // Not an error here: the LSTM that reads it as an initial state names itself and the input.
            if (v is not ConstantValue { IsZero: true }) return new NonZeroFill($"filled with a value other than 0 by node '{node.Label}' (ConstantOfShape)");
        }
        return ZeroValue.Instance;
    }

    /// <summary>Slice of zeros (zeros) or of a shape vector (constant starts and ends on axis 0, step 1).</summary>
    public static OnnxValue Slice(OnnxNode node, OnnxValue?[] inputs)
    {
        node.OnlyAttributes();
        if (IsZeros(inputs[0])) return ZeroValue.Instance;
        if (inputs[0] is NonZeroFill) return inputs[0]!;
        node.Expect(inputs[0] is not ActivationValue, "slicing activations (e.g. taking the last step) is not supported yet");
        var shape = AsShape(inputs[0]);
        long[]? starts = ConstInts(At(inputs, 1)), ends = ConstInts(At(inputs, 2));
        long[] axes = At(inputs, 3) is null ? [0] : ConstInts(inputs[3]) ?? [];
        long[] steps = At(inputs, 4) is null ? [1] : ConstInts(inputs[4]) ?? [];
        node.Expect(shape is { Scalar: false } && starts is [_] && ends is [_] && axes is [0 or -1] && steps is [1],
            "Slice is supported on zeros and on shape vectors (constant start and end, step 1)");
        int n = shape.Entries.Length;
        long Clamp(long i) => Math.Clamp(i < 0 ? i + n : i, 0, n);
        long from = Clamp(starts[0]), to = Math.Max(from, Clamp(ends[0]));
        return new ShapeValue(shape.Entries[(int)from..(int)to], Scalar: false);
    }

    public static OnnxValue Expand(OnnxNode node, OnnxValue? input)
    {
        node.OnlyAttributes();
        if (input is NonZeroFill) return input;
        if (input is ConstantValue { IsZero: false }) return new NonZeroFill($"a non-zero constant broadcast by node '{node.Label}' (Expand)");
        node.Expect(IsZeros(input), "Expand is supported on constants only (an LSTM's initial state)");
        return ZeroValue.Instance;
    }

    public static OnnxValue Cast(OnnxNode node, OnnxValue? input)
    {
        node.OnlyAttributes("to", "saturate");
        if (IsZeros(input)) return ZeroValue.Instance;
        if (input is GraphInputValue) return input; // sequence lengths: PyTorch casts them to int32 for the LSTM
        node.Expect(AsShape(input) is not null, "Cast is supported on zeros, shapes and sequence lengths only");
        return AsShape(input)!;
    }

    public static OnnxValue? At(OnnxValue?[] inputs, int i) => i < inputs.Length ? inputs[i] : null;

    private static OnnxValue Unsupported(OnnxNode node, string why)
    {
        node.Fail(why);
        return null!;
    }
}
