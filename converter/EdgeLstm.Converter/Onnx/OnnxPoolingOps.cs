namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// A classifier's pooling over time, as PyTorch exports it, mapped onto the description's <c>head.pooling</c>
/// (docs/model-description.md): <c>ReduceMax</c>/<c>ReduceMean</c> over the time axis of the top LSTM's outputs →
/// max/mean; the last step of a forward LSTM's outputs (<c>Gather</c> index −1, or <c>Slice</c> [−1:]) → last; the
/// final hidden states Y_h (PyTorch's h_n: each layer's Y_h concatenated) picked by <c>Gather</c> or <c>Squeeze</c> →
/// last (a reverse top layer's Y_h is its state after step 0, our last), for a bidirectional top layer its forward and reverse states joined forward first (<c>torch.cat([h_n[-2], h_n[-1]], 1)</c>).
/// Anything else on activations (another step, another axis, a bidirectional or reverse output's last step, whose
/// reverse part has read one step only) is not our pooling and is an error naming the node. A final <c>Softmax</c> over the
/// head's outputs is accepted and dropped: the model keeps the logits, whose softmax is what classify reports.
/// </summary>
internal static class OnnxPoolingOps
{
    /// <summary>ReduceMax/ReduceMean over exactly the time axis of an LSTM's outputs (axes as attribute, or input 1 from opset 18).</summary>
    public static OnnxValue Reduce(OnnxNode node, OnnxValue?[] inputs, AxisKind? timeAxis, string pooling)
    {
        node.OnlyAttributes("axes", "keepdims", "noop_with_empty_axes");
        var (x, t) = TopOutputs(node, OnnxShapeOps.At(inputs, 0), timeAxis);
        node.Expect(node.Int("noop_with_empty_axes", 0) == 0, "noop_with_empty_axes 1 is not supported");
        long[]? axes = node.Ints("axes") ?? OnnxShapeOps.ConstInts(OnnxShapeOps.At(inputs, 1));
        node.Expect(axes is { Length: > 0 }, $"reduces every axis of {x.AxesText}; only a reduction over time (the steps axis) is a pooling");
        var reduced = axes.Select(a => node.Axis(a, x.Rank, "axis")).Distinct().ToArray();
        node.Expect(reduced is [var only] && only == t,
            $"reduces axes [{string.Join(", ", reduced)}] of {x.AxesText}; only a reduction over time (axis {t} alone) is {pooling} pooling");
        long keep = node.Int("keepdims", 1);
        node.Expect(keep is 0 or 1, $"keepdims {keep} is not 0 or 1");
        return Pooled(node, x, t, pooling, keep == 1);
    }

    /// <summary>Gather of the last step (index −1) along time: pooling last, for a forward top layer only.</summary>
    public static OnnxValue GatherStep(OnnxNode node, OnnxValue? data, OnnxValue? indices, AxisKind? timeAxis)
    {
        node.OnlyAttributes("axis");
        if (data is ActivationValue pooled && pooled.Axes[node.Axis(node.Int("axis", 0), pooled.Rank, "axis")].Kind == AxisKind.PooledStep)
        {
            // [:, 0] of the length-1 axis a pooling with keepdims left (out.mean(1, keepdim=True) … [:, 0]): the axis goes.
            node.Expect(OnnxShapeOps.ConstInts(indices) is [0 or -1] && OnnxShapeOps.AsShape(indices)!.Scalar, "on the length-1 axis a pooling left only the scalar index 0 or -1 is supported");
            int dropped = node.Axis(node.Int("axis", 0), pooled.Rank, "axis");
            return pooled with { Axes = pooled.Axes.Where((_, i) => i != dropped).ToArray() };
        }
        var (x, t) = TopOutputs(node, data, timeAxis);
        int axis = node.Axis(node.Int("axis", 0), x.Rank, "axis");
        node.Expect(axis == t, $"gathers along axis {axis} of {x.AxesText}; on an LSTM's outputs only the last step along time (axis {t}) is a pooling");
        var picked = OnnxShapeOps.AsShape(indices);
        long[]? at = OnnxShapeOps.ConstInts(indices);
        node.Expect(picked is not null && at is [-1], $"takes step{(at is null ? "s computed in the graph" : $" [{string.Join(", ", at)}]")}; only the last step (index -1) is a pooling (last)");
        return LastStep(node, x, t, keep: !picked.Scalar);
    }

    /// <summary>Slice [-1:] along time (start −1, end past any length, step 1): pooling last with the time axis kept (length 1).</summary>
    public static OnnxValue SliceStep(OnnxNode node, OnnxValue?[] inputs, AxisKind? timeAxis)
    {
        node.OnlyAttributes();
        var (x, t) = TopOutputs(node, inputs[0], timeAxis);
        long[]? starts = OnnxShapeOps.ConstInts(OnnxShapeOps.At(inputs, 1)), ends = OnnxShapeOps.ConstInts(OnnxShapeOps.At(inputs, 2));
        long[]? axes = OnnxShapeOps.At(inputs, 3) is null ? [0] : OnnxShapeOps.ConstInts(inputs[3]);
        long[]? steps = OnnxShapeOps.At(inputs, 4) is null ? [1] : OnnxShapeOps.ConstInts(inputs[4]);
        node.Expect(axes is [var a] && node.Axis(a, x.Rank, "axis") == t && starts is [-1] && ends is [>= int.MaxValue] && steps is [1],
            $"slices {x.AxesText}; on an LSTM's outputs only the last step along time ([-1:] on axis {t}) is a pooling (last)");
        return LastStep(node, x, t, keep: true);
    }

    /// <summary>Gather of one entry of stacked final states (h_n[k], axis 0, a constant scalar index).</summary>
    public static OnnxValue GatherState(OnnxNode node, FinalStatesValue states, OnnxValue? indices)
    {
        node.OnlyAttributes("axis");
        node.Expect(states.Stacked && node.Int("axis", 0) == 0, "on final states (Y_h, h_n) only picking one entry along axis 0 is supported");
        long[]? at = OnnxShapeOps.ConstInts(indices);
        node.Expect(at is [_] && OnnxShapeOps.AsShape(indices)!.Scalar, "on final states (Y_h, h_n) the index must be a constant scalar (h_n[k])");
        return Pick(node, states, node.Axis(at[0], states.States.Length, "index"));
    }

    /// <summary>Squeeze of axis 0 of a one-entry stack of final states (a forward LSTM's Y_h.squeeze(0)).</summary>
    public static OnnxValue SqueezeState(OnnxNode node, FinalStatesValue states, OnnxValue? axesInput)
    {
        node.OnlyAttributes("axes");
        long[]? axes = node.Ints("axes") ?? OnnxShapeOps.ConstInts(axesInput);
        node.Expect(states.Stacked && states.States.Length == 1 && axes is [0], "on final states (Y_h, h_n) only squeezing axis 0 of a single entry is supported");
        return Pick(node, states, 0);
    }

    /// <summary>
    /// Concat of final states: along axis 0, PyTorch's h_n (each layer's Y_h); along the features, a bidirectional
    /// top layer's forward and reverse final states, in that order: pooling last.
    /// </summary>
    public static OnnxValue Concat(OnnxNode node, OnnxValue?[] inputs)
    {
        node.OnlyAttributes("axis");
        node.Expect(Array.TrueForAll(inputs, v => v is FinalStatesValue), "joins final states (Y_h) with other values; only final states with final states are supported");
        var parts = inputs.Cast<FinalStatesValue>().ToArray();
        long axis = node.Int("axis", 0);
        if (Array.TrueForAll(parts, p => p.Stacked))
        {
            node.Expect(axis == 0 && parts.All(p => p.Batch == parts[0].Batch && p.Hidden == parts[0].Hidden),
                "final states (Y_h) can be stacked along axis 0 only, with equal batch and hidden sizes (PyTorch's h_n)");
            return parts[0] with { States = parts.SelectMany(p => p.States).ToArray() };
        }
        node.Expect(parts is [{ Stacked: false }, { Stacked: false }] && axis is 1 or -1,
            "final states can be joined along the features only two at a time, the forward and the reverse direction of one layer");
        var (f, r) = (parts[0], parts[1]);
        var (forward, reverse) = (f.States[0], r.States[0]);
        node.Expect(ReferenceEquals(forward.Model, reverse.Model), "joins the final states of two different layers; pooling last joins the top layer's two directions");
        node.Expect(forward.Direction == 0 && reverse.Direction == 1,
            "joins the reverse direction's final state before the forward one; pooling last is forward first (torch.cat([h_n[-2], h_n[-1]], 1))");
        var model = forward.Model with { Pooling = Poolings.Last, PoolingNode = node.Label };
        return new ActivationValue(Stage.Pooled, [f.Batch, new(AxisKind.Feature, 2L * f.Hidden)], model);
    }

    /// <summary>Softmax over the head's outputs (the last axis): accepted and dropped, the model keeps the logits.</summary>
    public static OnnxValue Softmax(OnnxNode node, OnnxValue? input, long opset)
    {
        node.OnlyAttributes("axis");
        var x = OnnxLayoutOps.Activation(node, input);
        node.Expect(x.Stage is Stage.Head or Stage.HeadProduct, $"a Softmax is supported over the head's outputs only, not over {x.Stage} values");
        int axis = node.Axis(node.Int("axis", opset < 13 ? 1 : -1), x.Rank, "axis");
        node.Expect(axis == x.Rank - 1 && x.Axes[axis].Kind == AxisKind.Feature,
            $"takes the softmax along axis {axis} of {x.AxesText}; only along the head's outputs (the last axis) is supported");
        return x with { Stage = Stage.Probabilities, Model = x.Model! with { SoftmaxNode = node.Label } };
    }

    /// <summary>The top LSTM's outputs and the index of their time axis.</summary>
    private static (ActivationValue X, int Time) TopOutputs(OnnxNode node, OnnxValue? input, AxisKind? timeAxis)
    {
        var x = OnnxLayoutOps.Activation(node, input);
        node.Expect(x.Stage == Stage.LstmOutput && timeAxis is not null,
            $"pools an LSTM's outputs over time; its input is {x.Stage} values {x.AxesText} (pooling the head's outputs or pooling twice is not supported)");
        return (x, Array.FindIndex(x.Axes, a => a.Kind == timeAxis));
    }

    private static OnnxValue LastStep(OnnxNode node, ActivationValue x, int t, bool keep)
    {
        ImportedLayer top = x.Model!.Layers[^1];
        node.Expect(!top.Bidirectional,
            "takes the last step of a bidirectional LSTM's outputs, whose reverse half has read that step only; pooling last is each direction's final state (torch.cat([h_n[-2], h_n[-1]], 1))");
        node.Expect(!top.Reverse,
            "takes the last step of a reverse LSTM's outputs, which has read that step only; pooling last is its final state, Y_h (its output at step 0)");
        return Pooled(node, x, t, Poolings.Last, keep);
    }

    private static ActivationValue Pooled(OnnxNode node, ActivationValue x, int t, string pooling, bool keep)
    {
        var axes = keep ? x.Axes.Select((a, i) => i == t ? new Axis(AxisKind.PooledStep, 1) : a).ToArray() : x.Axes.Where((_, i) => i != t).ToArray();
        return new ActivationValue(Stage.Pooled, axes, x.Model! with { Pooling = pooling, PoolingNode = node.Label });
    }

    /// <summary>One final state: of a forward or reverse top layer, pooling last already; of a bidirectional one, a half waiting for its Concat.</summary>
    private static OnnxValue Pick(OnnxNode node, FinalStatesValue states, int index)
    {
        var state = states.States[index];
        if (state.Model.Layers[^1].Bidirectional) return states with { States = [state], Stacked = false };
        var model = state.Model with { Pooling = Poolings.Last, PoolingNode = node.Label };
        return new ActivationValue(Stage.Pooled, [states.Batch, new(AxisKind.Feature, states.Hidden)], model);
    }
}
