namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// What the importer knows about one value of an ONNX graph as it walks the nodes in order: numbers from the file,
/// shapes computed from the input, zeros, or activations (the token ids and everything computed from them, carrying
/// the model built so far). Values are immutable, so a branch the graph's output does not use changes nothing.
/// </summary>
internal abstract record OnnxValue;

/// <summary>A tensor whose numbers are in the file (an initializer or a Constant node's output): float or integer.</summary>
internal sealed record ConstantValue(long[] Dims, float[]? Floats, long[]? Ints) : OnnxValue
{
    public long Count => Floats?.LongLength ?? Ints!.LongLength;
    public bool IsZero => Floats is not null ? Array.TrueForAll(Floats, v => v == 0) : Array.TrueForAll(Ints!, v => v == 0);
    public string ShapeText => $"[{string.Join(", ", Dims)}]";
}

/// <summary>One entry of a shape computed in the graph: a number, or the length of token input axis <see cref="InputAxis"/> (known at run time only).</summary>
internal readonly record struct Dim(long Value, int InputAxis = -1)
{
    public bool IsKnown => InputAxis < 0;
    public override string ToString() => IsKnown ? Value.ToString(CultureInfo.InvariantCulture) : $"input axis {InputAxis}";
}

/// <summary>An integer scalar or vector computed from shapes: Shape of an activation, then Gather/Unsqueeze/Concat/Slice of it.</summary>
internal sealed record ShapeValue(Dim[] Entries, bool Scalar) : OnnxValue;

/// <summary>A tensor of zeros (ConstantOfShape 0 and slices of it): what PyTorch passes as an LSTM's initial state when none is given.</summary>
internal sealed record ZeroValue : OnnxValue
{
    public static readonly ZeroValue Instance = new();
}

/// <summary>
/// A tensor sized at run time and filled with something other than zeros (ConstantOfShape of a non-zero value, Expand
/// of a non-zero constant): followed through Slice and Expand so that the LSTM reading it as an initial state names
/// itself and the input; <see cref="Origin"/> says which node filled it.
/// </summary>
internal sealed record NonZeroFill(string Origin) : OnnxValue;

/// <summary>
/// A graph input besides the token ids, by name, with its declared dims (-1 where symbolic): only an LSTM's
/// sequence_lens may read it (directly or through Cast); any other use is an error naming the node.
/// </summary>
internal sealed record GraphInputValue(string Name, long[] Dims) : OnnxValue
{
    public string DimsText => $"[{string.Join(", ", Dims.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]";
}

/// <summary>A value the importer does not follow (an LSTM's Y_h and Y_c, a tensor of another type): using it is an error saying why.</summary>
internal sealed record OpaqueValue(string Why) : OnnxValue;

/// <summary>
/// Axes of activations: the token input's two (one is time, the other batch; the first LSTM tells which), an LSTM's
/// direction axis, features, and the length-1 axis a pooling with keepdims (or a Slice of the last step) leaves where time was.
/// </summary>
internal enum AxisKind { Input0, Input1, Direction, Feature, PooledStep }

internal readonly record struct Axis(AxisKind Kind, long Size);

/// <summary>Pooled: the top layer's outputs pooled over time (<see cref="ModelSoFar.Pooling"/>); Probabilities: a Softmax over the head's outputs.</summary>
internal enum Stage { Tokens, Embedded, LstmOutput, Pooled, HeadProduct, Head, Probabilities }

/// <summary>One direction of an LSTM layer, in PyTorch's layout and gate order (i, f, g, o).</summary>
internal sealed record LstmDirectionWeights(float[] WeightIh, float[] WeightHh, float[] BiasIh, float[] BiasHh);

/// <summary>One LSTM node's layer: forward, reverse (one direction read last to first) or bidirectional (forward, then reverse).</summary>
internal sealed record ImportedLayer(int Input, int Hidden, bool Bidirectional, bool Reverse, LstmDirectionWeights[] Directions, string Node)
{
    public string Kind => Bidirectional ? "bidirectional" : Reverse ? "reverse" : "forward";
}

/// <summary>The output layer: <see cref="Weight"/> [Rows, Columns] as nn.Linear keeps it; <see cref="Bias"/> null until an Add gives it.</summary>
internal sealed record HeadWeights(float[] Weight, float[]? Bias, int Rows, int Columns);

/// <summary>
/// The model computed so far: the embedding [V, E], the LSTM layers in order, the pooling over time (a
/// <see cref="Poolings"/> name, and the node that pools), the head once reached, and the Softmax node after it if any.
/// </summary>
internal sealed record ModelSoFar(float[] Embedding, int Vocabulary, int EmbeddingSize, ImportedLayer[] Layers, HeadWeights? Head,
    string Pooling = Poolings.None, string? PoolingNode = null, string? SoftmaxNode = null);

/// <summary>One direction's final hidden state (an LSTM's Y_h entry): the model whose top layer it ends, and which direction (0 first, 1 a bidirectional layer's reverse).</summary>
internal sealed record FinalState(ModelSoFar Model, int Direction);

/// <summary>
/// Final hidden states stacked on axis 0 ([entries, batch, H]): an LSTM's Y_h, or PyTorch's h_n (the Y_h of every
/// layer concatenated); <see cref="Stacked"/> false once one entry is picked (Gather of a scalar index: [batch, H]).
/// </summary>
internal sealed record FinalStatesValue(FinalState[] States, bool Stacked, Axis Batch, int Hidden) : OnnxValue;

/// <summary>The token ids and everything computed from them: its stage in the pipeline, its axes, and the model that computes it.</summary>
internal sealed record ActivationValue(Stage Stage, Axis[] Axes, ModelSoFar? Model) : OnnxValue
{
    public int Rank => Axes.Length;
    public bool HasDirection => Array.Exists(Axes, a => a.Kind == AxisKind.Direction);
    public string AxesText => $"[{string.Join(", ", Axes.Select(a => a.Kind switch
    {
        AxisKind.Direction => $"directions {a.Size}",
        AxisKind.Feature => $"features {a.Size}",
        AxisKind.PooledStep => "pooled step",
        _ => a.Kind.ToString().ToLowerInvariant(),
    }))}]";
}
