using Onnx;

namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// Walks an ONNX graph's nodes in order (the file must list them topologically, as the standard requires), giving
/// each value what the importer knows about it (<see cref="OnnxValue"/>), and returns the model that computes the
/// graph's one output. Every operator it does not know, and every use of a known one it cannot map onto the model
/// description, is a one-line error naming the node, its operator and why.
/// </summary>
internal sealed class OnnxGraphWalker
{
    private readonly string _source;
    private readonly Dictionary<string, OnnxValue> _values = new(StringComparer.Ordinal);
    /// <summary>The token input's declared dims, -1 where symbolic.</summary>
    private long[] _inputDims = [];
    private AxisKind? _timeAxis;

    /// <summary>The standard domain's opset: a few operators' defaults changed between versions (Softmax's axis).</summary>
    private readonly long _opset;

    private OnnxGraphWalker(string source, long opset) => (_source, _opset) = (source, opset);

    public static ModelSoFar Walk(GraphProto graph, string source, long opset) => new OnnxGraphWalker(source, opset).Run(graph);

    private ModelSoFar Run(GraphProto graph)
    {
        foreach (var t in graph.Initializer)
        {
            if (t.Name.Length == 0) throw new ModelFormatException($"{_source}: an initializer has no name");
            if (!_values.TryAdd(t.Name, OnnxTensorReader.Read(t, _source, $"initializer '{t.Name}'")))
                throw new ModelFormatException($"{_source}: initializer '{t.Name}' is defined twice");
        }
        if (graph.SparseInitializer.Count > 0) throw new ModelFormatException($"{_source}: sparse initializers are not supported");
        var inputs = graph.Input.Where(i => !_values.ContainsKey(i.Name)).ToList();
        // With several inputs the token ids are the one integer matrix; the others (e.g. pack_padded_sequence's
        // lengths) are followed as GraphInputValues, which only an LSTM's sequence_lens may read.
        var tokens = inputs.Count == 1 ? inputs : inputs.Where(IsIntegerMatrix).ToList();
        if (tokens.Count != 1)
            throw new ModelFormatException($"{_source}: the graph has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}); " +
                "expected the token ids (an integer [batch, steps] or [steps, batch]) and optionally sequence lengths");
        ReadTokenInput(tokens[0]);
        foreach (var other in inputs.Where(i => i != tokens[0]))
            _values[other.Name] = new GraphInputValue(other.Name, Dims(other.Type?.TensorType?.Shape));
        for (int i = 0; i < graph.Node.Count; i++) Run(new OnnxNode(graph.Node[i], i, _source));
        return Output(graph);
    }

    private static bool IsIntegerMatrix(ValueInfoProto input) =>
        input.Type?.TensorType is { Shape.Dim.Count: 2 } t && (TensorProto.Types.DataType)t.ElemType is TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32;

    /// <summary>Declared dims, -1 where symbolic or unknown; none without a shape.</summary>
    private static long[] Dims(TensorShapeProto? shape) =>
        shape is null ? [] : shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 ? d.DimValue : -1).ToArray();

    private void ReadTokenInput(ValueInfoProto input)
    {
        string name = input.Name;
        var tensor = input.Type?.TensorType;
        if (tensor is null) throw new ModelFormatException($"{_source}: graph input '{name}' is not a tensor");
        var type = (TensorProto.Types.DataType)tensor.ElemType;
        if (type is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16)
            throw new ModelFormatException($"{_source}: graph input '{name}' is {type}: models over float vectors are not supported yet (token ids, int64 [batch, steps] or [steps, batch])");
        if (type is not (TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32))
            throw new ModelFormatException($"{_source}: graph input '{name}' is {type}; expected token ids (int64 or int32)");
        if (tensor.Shape is null || tensor.Shape.Dim.Count != 2)
            throw new ModelFormatException($"{_source}: graph input '{name}' has {(tensor.Shape is null ? "no shape" : $"rank {tensor.Shape.Dim.Count}")}; expected token ids [batch, steps] or [steps, batch]");
        _inputDims = Dims(tensor.Shape);
        _values[name] = new ActivationValue(Stage.Tokens, [new(AxisKind.Input0, 0), new(AxisKind.Input1, 0)], null);
    }

    private void Run(OnnxNode node)
    {
        var proto = node.Proto;
        node.Expect(proto.Domain is "" or "ai.onnx", $"domain '{proto.Domain}' is not the standard ONNX domain");
        var inputs = new OnnxValue?[proto.Input.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            string name = proto.Input[i];
            if (name.Length == 0) continue;
            if (!_values.TryGetValue(name, out var v)) node.Fail($"input '{name}' is not an initializer, the graph input or an earlier node's output");
            if (v is OpaqueValue o) node.Fail($"input '{name}': {o.Why}");
            if (v is GraphInputValue g && proto.OpType is not ("LSTM" or "Cast" or "Identity"))
                node.Fail($"input '{name}' is graph input '{g.Name}'; a graph input besides the token ids may only be an LSTM's sequence_lens");
            inputs[i] = v;
        }
        OnnxValue?[] outputs = proto.OpType switch
        {
            "Constant" => [Constant(node)],
            "Identity" => [OnnxShapeOps.At(inputs, 0)],
            "Shape" => [OnnxShapeOps.Shape(node, OnnxShapeOps.At(inputs, 0), _inputDims)],
            "Gather" => [inputs is [FinalStatesValue states, ..] ? OnnxPoolingOps.GatherState(node, states, OnnxShapeOps.At(inputs, 1))
                : inputs is [ActivationValue { Stage: not Stage.Tokens } x, ..] ? OnnxPoolingOps.GatherStep(node, x, OnnxShapeOps.At(inputs, 1), _timeAxis)
                : OnnxModelOps.Gather(node, inputs)],
            "Unsqueeze" => [OnnxShapeOps.Unsqueeze(node, OnnxShapeOps.At(inputs, 0), OnnxShapeOps.At(inputs, 1))],
            "Squeeze" => [inputs is [FinalStatesValue s, ..] ? OnnxPoolingOps.SqueezeState(node, s, OnnxShapeOps.At(inputs, 1))
                : OnnxLayoutOps.Squeeze(node, OnnxShapeOps.At(inputs, 0), OnnxShapeOps.At(inputs, 1))],
            "Concat" => [Array.Exists(inputs, v => v is FinalStatesValue) ? OnnxPoolingOps.Concat(node, inputs) : OnnxShapeOps.Concat(node, inputs)],
            "ConstantOfShape" => [OnnxShapeOps.ConstantOfShape(node, OnnxShapeOps.At(inputs, 0))],
            "Slice" => [inputs is [ActivationValue, ..] ? OnnxPoolingOps.SliceStep(node, inputs, _timeAxis) : OnnxShapeOps.Slice(node, inputs)],
            "ReduceMax" => [OnnxPoolingOps.Reduce(node, inputs, _timeAxis, Poolings.Max)],
            "ReduceMean" => [OnnxPoolingOps.Reduce(node, inputs, _timeAxis, Poolings.Mean)],
            "Softmax" => [OnnxPoolingOps.Softmax(node, OnnxShapeOps.At(inputs, 0), _opset)],
            "Expand" => [OnnxShapeOps.Expand(node, OnnxShapeOps.At(inputs, 0))],
            "Cast" => [OnnxShapeOps.Cast(node, OnnxShapeOps.At(inputs, 0))],
            "Transpose" => [OnnxLayoutOps.Transpose(node, OnnxShapeOps.At(inputs, 0))],
            "Reshape" => [OnnxLayoutOps.Reshape(node, OnnxShapeOps.At(inputs, 0), OnnxShapeOps.At(inputs, 1), _inputDims)],
            "LSTM" => OnnxLstmNode.Import(node, inputs, ref _timeAxis),
            "MatMul" => [OnnxModelOps.MatMul(node, inputs)],
            "Add" => [OnnxModelOps.Add(node, inputs)],
            "Gemm" => [OnnxModelOps.Gemm(node, inputs)],
            _ => Unsupported(node),
        };
        node.Expect(proto.Output.Count <= outputs.Length, $"has {proto.Output.Count} outputs; expected at most {outputs.Length}");
        for (int i = 0; i < proto.Output.Count; i++)
        {
            string name = proto.Output[i];
            if (name.Length == 0) continue;
            node.Expect(outputs[i] is not null, $"output '{name}' has nothing to hold (an absent input passed through)");
            node.Expect(_values.TryAdd(name, outputs[i]!), $"output '{name}' is already defined");
        }
    }

    private static OnnxValue?[] Unsupported(OnnxNode node)
    {
        node.Fail("operator not supported (the importer reads embeddings, LSTM layers, pooling over time (ReduceMax, ReduceMean, the last step, " +
            "final states) and linear heads with an optional Softmax, with their Shape/Gather/Unsqueeze/Concat/ConstantOfShape/Slice/Transpose/Squeeze/Reshape glue; docs/onnx.md)");
        return [];
    }

    private OnnxValue Constant(OnnxNode node)
    {
        node.OnlyAttributes("value", "value_int", "value_ints", "value_float", "value_floats");
        node.Expect(node.Proto.Attribute.Count == 1, "a Constant needs exactly one of value, value_int, value_ints, value_float, value_floats");
        if (node.Tensor("value") is { } t) return OnnxTensorReader.Read(t, _source, $"node '{node.Label}' attribute 'value'");
        if (node.Has("value_int")) return new ConstantValue([], null, [node.Int("value_int", 0)]);
        if (node.Ints("value_ints") is { } ints) return new ConstantValue([ints.Length], null, ints);
        if (node.Has("value_float")) return new ConstantValue([], [node.Float("value_float", 0)], null);
        var floats = node.Proto.Attribute[0].Floats.ToArray();
        return new ConstantValue([floats.Length], floats, null);
    }

    private ModelSoFar Output(GraphProto graph)
    {
        if (graph.Output.Count != 1)
            throw new ModelFormatException($"{_source}: the graph has {graph.Output.Count} outputs ({string.Join(", ", graph.Output.Select(o => $"'{o.Name}'"))}); " +
                "expected one, the head's output (return only the logits or probabilities from forward)");
        string name = graph.Output[0].Name;
        if (!_values.TryGetValue(name, out var v)) throw new ModelFormatException($"{_source}: graph output '{name}' is not computed by any node");
        if (v is not ActivationValue { Stage: Stage.Head or Stage.HeadProduct or Stage.Probabilities, Model.Head: not null } a)
            throw new ModelFormatException($"{_source}: graph output '{name}' is {OnnxLayoutOps.Describe(v)}; expected the head's output (a linear layer over the LSTM's outputs or their pooling)");
        var kinds = a.Axes.Select(x => x.Kind).Where(k => k != AxisKind.PooledStep).Order().ToArray();
        bool pooled = a.Model!.Pooling != Poolings.None;
        if (pooled ? kinds is not ([AxisKind.Input0 or AxisKind.Input1, AxisKind.Feature]) : !kinds.SequenceEqual([AxisKind.Input0, AxisKind.Input1, AxisKind.Feature]))
            throw new ModelFormatException($"{_source}: graph output '{name}' is {a.AxesText}; expected the head's outputs " +
                (pooled ? "per sequence ([batch, outputs])" : "at every step ([batch, steps, outputs] or [steps, batch, outputs])"));
        var model = a.Model!;
        return model with { Head = model.Head! with { Bias = model.Head.Bias ?? new float[model.Head.Rows] } };
    }
}
