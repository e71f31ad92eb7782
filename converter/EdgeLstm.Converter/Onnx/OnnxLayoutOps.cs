namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// The glue PyTorch puts between LSTM layers: Transpose (batch-first ↔ time-first, directions next to features),
/// Squeeze (a forward or reverse LSTM's direction axis) and Reshape (a bidirectional LSTM's two directions joined into 2H
/// features, forward first). Each only moves axes; the importer tracks which axis is which.
/// </summary>
internal static class OnnxLayoutOps
{
    public static OnnxValue Transpose(OnnxNode node, OnnxValue? input)
    {
        node.OnlyAttributes("perm");
        if (OnnxShapeOps.IsZeros(input)) return ZeroValue.Instance;
        var a = Activation(node, input);
        long[] perm = node.Ints("perm") ?? Enumerable.Range(0, a.Rank).Reverse().Select(i => (long)i).ToArray();
        node.Expect(perm.Length == a.Rank && perm.Order().SequenceEqual(Enumerable.Range(0, a.Rank).Select(i => (long)i)),
            $"perm [{string.Join(", ", perm)}] is not a permutation of the input's {a.Rank} axes");
        return a with { Axes = Array.ConvertAll(perm, p => a.Axes[p]) };
    }

    public static OnnxValue Squeeze(OnnxNode node, OnnxValue? input, OnnxValue? axesInput)
    {
        node.OnlyAttributes("axes");
        if (OnnxShapeOps.IsZeros(input)) return ZeroValue.Instance;
        var a = Activation(node, input);
        long[]? axes = node.Ints("axes") ?? OnnxShapeOps.ConstInts(axesInput);
        node.Expect(axes is { Length: > 0 }, "Squeeze needs constant axes (without them it would drop a batch of 1 too)");
        var drop = axes.Select(x => node.Axis(x, a.Rank, "axis")).ToHashSet();
        foreach (int d in drop)
            node.Expect(a.Axes[d] is { Kind: AxisKind.Direction or AxisKind.PooledStep, Size: 1 },
                $"removes axis {d} of {a.AxesText}; only a one-direction (forward or reverse) LSTM's direction axis and the length-1 axis a pooling left can be squeezed");
        return a with { Axes = a.Axes.Where((_, i) => !drop.Contains(i)).ToArray() };
    }

    /// <summary>Reshape that joins an LSTM's direction axis with the features right after it: [.., directions, H] → [.., directions·H].</summary>
    public static OnnxValue Reshape(OnnxNode node, OnnxValue? input, OnnxValue? shapeInput, long[] inputDims)
    {
        node.OnlyAttributes("allowzero");
        if (OnnxShapeOps.IsZeros(input)) return ZeroValue.Instance;
        var a = Activation(node, input);
        node.Expect(node.Int("allowzero", 0) == 0, "allowzero 1 is not supported");
        var target = OnnxShapeOps.AsShape(shapeInput);
        node.Expect(target is { Scalar: false }, "its shape must be a constant or computed shape vector");
        int d = Array.FindIndex(a.Axes, x => x.Kind == AxisKind.Direction);
        node.Expect(d >= 0 && d + 1 < a.Rank && a.Axes[d + 1].Kind == AxisKind.Feature,
            $"reshapes {a.AxesText}; only joining an LSTM's direction axis with the features right after it is supported");
        var joined = a.Axes.Where((_, i) => i != d).ToArray();
        joined[d] = new Axis(AxisKind.Feature, a.Axes[d].Size * a.Axes[d + 1].Size);
        node.Expect(target.Entries.Length == joined.Length, $"the target shape has {target.Entries.Length} entries; joining the directions of {a.AxesText} gives {joined.Length}");
        int inferred = 0;
        for (int i = 0; i < joined.Length; i++)
        {
            Dim t = target.Entries[i];
            bool ok = t switch
            {
                { IsKnown: true, Value: 0 } => a.Axes[i] == joined[i],
                { IsKnown: true, Value: -1 } => ++inferred == 1,
                { IsKnown: true } => Known(joined[i], inputDims) == t.Value,
                _ => joined[i].Kind == (AxisKind)t.InputAxis,
            };
            node.Expect(ok, $"target entry {i} ({t}) does not fit axis {i} of {a.AxesText} with its directions joined");
        }
        return a with { Axes = joined };
    }

    /// <summary>An axis's length when the file fixes it, else -2 (matches no literal).</summary>
    private static long Known(Axis axis, long[] inputDims) => axis.Kind switch
    {
        AxisKind.Input0 or AxisKind.Input1 => inputDims[(int)axis.Kind] >= 0 ? inputDims[(int)axis.Kind] : -2,
        _ => axis.Size,
    };

    public static ActivationValue Activation(OnnxNode node, OnnxValue? input)
    {
        if (input is not ActivationValue a)
        {
            node.Fail($"is supported on activations (computed from the token input){(input is null ? "" : $", not on {Describe(input)}")}");
            return null!;
        }
        return a;
    }

    public static string Describe(OnnxValue v) => v switch
    {
        ConstantValue c => $"a constant {c.ShapeText}",
        ShapeValue => "a shape",
        ZeroValue => "zeros",
        ActivationValue a => $"activations {a.AxesText}",
        FinalStatesValue => "an LSTM's final states (Y_h)",
        OpaqueValue o => o.Why,
        GraphInputValue g => $"graph input '{g.Name}' {g.DimsText}",
        NonZeroFill f => f.Origin,
        _ => v.GetType().Name,
    };
}
