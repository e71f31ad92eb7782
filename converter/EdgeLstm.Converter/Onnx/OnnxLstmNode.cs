namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// An ONNX <c>LSTM</c> node → one layer of the model. ONNX keeps W [directions, 4H, input], R [directions, 4H, H]
/// and B [directions, 8H] (Wb then Rb) with the gates in the order i, o, f, c; PyTorch and EdgeLstm keep
/// weight_ih [4H, input], weight_hh [4H, H], bias_ih and bias_hh [4H] per direction in the order i, f, g, o.
/// Forward, reverse and bidirectional layers with zero (or absent) initial states, default activations, no clip, no peepholes,
/// and sequence lengths absent or a graph input of one sequence are supported; anything else is an error naming the node.
/// </summary>
internal static class OnnxLstmNode
{
    /// <summary>Our gate k (i, f, g, o) is ONNX's gate <c>FromOnnx[k]</c> (i, o, f, c).</summary>
    private static readonly int[] FromOnnx = [0, 2, 3, 1];

    public static OnnxValue[] Import(OnnxNode node, OnnxValue?[] inputs, ref AxisKind? timeAxis)
    {
        node.OnlyAttributes("hidden_size", "direction", "activations", "layout", "input_forget", "clip");
        var x = OnnxLayoutOps.Activation(node, OnnxShapeOps.At(inputs, 0));
        node.Expect(x.Stage is Stage.Embedded or Stage.LstmOutput && x.Model is not null,
            $"its input X must be the embedding or an LSTM's output, not {x.Stage} values");
        node.Expect(x.Rank == 3 && !x.HasDirection && x.Axes[2].Kind == AxisKind.Feature,
            $"its input X is {x.AxesText}; expected [steps, batch, features] (an LSTM's output needs its directions squeezed or joined first)");
        long layout = node.Int("layout", 0);
        node.Expect(layout is 0 or 1, $"layout {layout} is not 0 or 1");
        AxisKind time = x.Axes[layout == 0 ? 0 : 1].Kind, batch = x.Axes[layout == 0 ? 1 : 0].Kind;
        node.Expect(time is AxisKind.Input0 or AxisKind.Input1 && batch is AxisKind.Input0 or AxisKind.Input1,
            $"its input X is {x.AxesText}; expected the token input's two axes and features");
        node.Expect(timeAxis is null || timeAxis == time, "reads the token input's axes in another order than the LSTM before it (time and batch swapped)");
        timeAxis = time;

        long hiddenAttr = node.Int("hidden_size", 0);
        node.Expect(hiddenAttr is > 0 and <= 1 << 14, $"hidden_size {hiddenAttr} is not 1..16384");
        int hidden = (int)hiddenAttr, input = (int)x.Axes[2].Size;
        string direction = node.String("direction") ?? "forward";
        node.Expect(direction is "forward" or "reverse" or "bidirectional", $"direction '{direction}' is not forward, reverse or bidirectional");
        int dirs = direction == "bidirectional" ? 2 : 1;
        string[]? activations = node.Strings("activations");
        node.Expect(activations is null || activations.SequenceEqual(Enumerable.Repeat(new[] { "Sigmoid", "Tanh", "Tanh" }, dirs).SelectMany(a => a), StringComparer.OrdinalIgnoreCase),
            $"activations [{string.Join(", ", activations ?? [])}] are not the default Sigmoid, Tanh, Tanh");
        node.Expect(node.Int("input_forget", 0) == 0, "input_forget 1 (coupled input and forget gates) is not supported");
        node.Expect(!node.Has("clip"), "clip (cell clipping) is not supported");

        var w = Weights(node, inputs, 1, "W", [dirs, 4L * hidden, input]);
        var r = Weights(node, inputs, 2, "R", [dirs, 4L * hidden, hidden]);
        var b = OnnxShapeOps.At(inputs, 3) is null ? new float[dirs * 8 * hidden] : Weights(node, inputs, 3, "B", [dirs, 8L * hidden]);
        SequenceLengths(node, OnnxShapeOps.At(inputs, 4));
        InitialState(node, inputs, 5, "initial_h");
        InitialState(node, inputs, 6, "initial_c");
        node.Expect(OnnxShapeOps.At(inputs, 7) is null, "peephole weights P are not supported");

        var directions = new LstmDirectionWeights[dirs];
        for (int d = 0; d < dirs; d++)
        {
            long gates = 4L * hidden;
            directions[d] = new LstmDirectionWeights(
                Reorder(w.AsSpan((int)(d * gates * input), (int)(gates * input)), hidden, input),
                Reorder(r.AsSpan((int)(d * gates * hidden), (int)(gates * hidden)), hidden, hidden),
                Reorder(b.AsSpan((int)(d * 2 * gates), (int)gates), hidden, 1),
                Reorder(b.AsSpan((int)(d * 2 * gates + gates), (int)gates), hidden, 1));
        }
        // A reverse LSTM's one direction: Y in time order, Y_h after step 0, as our reverse layer (description "reverse").
        var layer = new ImportedLayer(input, hidden, dirs == 2, direction == "reverse", directions, node.Label);
        var model = x.Model! with { Layers = [.. x.Model.Layers, layer] };
        Axis[] axes = layout == 0
            ? [x.Axes[0], new(AxisKind.Direction, dirs), x.Axes[1], new(AxisKind.Feature, hidden)]
            : [x.Axes[0], x.Axes[1], new(AxisKind.Direction, dirs), new(AxisKind.Feature, hidden)];
        OnnxValue finalStates = layout == 0
            ? new FinalStatesValue(Enumerable.Range(0, dirs).Select(d => new FinalState(model, d)).ToArray(), Stacked: true, x.Axes[1], hidden)
            : new OpaqueValue($"Y_h of LSTM node '{node.Label}' is in layout 1 ([batch, directions, hidden]); final states are supported in layout 0");
        return [new ActivationValue(Stage.LstmOutput, axes, model), finalStates,
            new OpaqueValue($"Y_c of LSTM node '{node.Label}' is the final cell state; no pooling reads it (Y and Y_h are supported)")];
    }

    /// <summary>
    /// sequence_lens from a graph input with one sequence in the batch (pack_padded_sequence's lengths): the caller
    /// gives the sequence's own length, and our runtime runs every sequence to its own end, so it changes nothing.
    /// A constant would fix one length for every input; a batch of several padded sequences has no equivalent.
    /// </summary>
    private static void SequenceLengths(OnnxNode node, OnnxValue? lengths)
    {
        if (lengths is null) return;
        node.Expect(lengths is GraphInputValue, $"sequence_lens is {OnnxLayoutOps.Describe(lengths)}; only a graph input (the lengths of a batch of one) is supported");
        var g = (GraphInputValue)lengths;
        node.Expect(g.Dims is [-1 or 1], $"sequence_lens is graph input '{g.Name}' {g.DimsText}; only one sequence per batch ([1] or [batch]) is supported");
    }

    /// <summary>A zero initial state is what the converted model starts every sequence from; any other is refused.</summary>
    private static void InitialState(OnnxNode node, OnnxValue?[] inputs, int index, string which)
    {
        var state = OnnxShapeOps.At(inputs, index);
        if (state is null || OnnxShapeOps.IsZeros(state)) return;
        string input = node.Proto.Input[index];
        node.Fail(state switch
        {
            GraphInputValue g => $"{which} '{input}' is graph input '{g.Name}'; initial states fed from outside are not supported (the converted model starts every sequence from zeros)",
            ConstantValue c => $"{which} '{input}' is a non-zero constant {c.ShapeText}; only zero initial states are supported",
            NonZeroFill f => $"{which} '{input}' is {f.Origin}; only zero initial states are supported",
            _ => $"{which} '{input}' is {OnnxLayoutOps.Describe(state)}; only zero initial states (constants, ConstantOfShape 0) are supported",
        });
    }

    private static float[] Weights(OnnxNode node, OnnxValue?[] inputs, int index, string name, long[] dims)
    {
        var v = OnnxShapeOps.At(inputs, index);
        node.Expect(v is ConstantValue { Floats: not null } c && c.Dims.SequenceEqual(dims),
            $"{name} must be a float initializer [{string.Join(", ", dims)}], found {(v is null ? "none" : OnnxLayoutOps.Describe(v))}");
        return ((ConstantValue)v!).Floats!;
    }

    /// <summary>[4H, columns] in ONNX gate order → PyTorch gate order (blocks of H rows moved).</summary>
    private static float[] Reorder(ReadOnlySpan<float> onnx, int hidden, int columns)
    {
        var ours = new float[onnx.Length];
        int block = hidden * columns;
        for (int gate = 0; gate < 4; gate++) onnx.Slice(FromOnnx[gate] * block, block).CopyTo(ours.AsSpan(gate * block, block));
        return ours;
    }
}
