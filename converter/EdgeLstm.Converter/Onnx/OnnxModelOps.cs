namespace EdgeLstm.Converter.Onnx;

/// <summary>
/// The ends of the pipeline: the embedding (Gather of a float [V, E] initializer by the token ids) and the head at
/// every step (MatMul by a [D, V] initializer, then Add of a [V] bias; or Gemm on [steps, D]).
/// </summary>
internal static class OnnxModelOps
{
    public static OnnxValue Gather(OnnxNode node, OnnxValue?[] inputs)
    {
        var data = OnnxShapeOps.At(inputs, 0);
        if (OnnxShapeOps.AsShape(data) is { } shape) return OnnxShapeOps.Gather(node, shape, OnnxShapeOps.At(inputs, 1));
        node.OnlyAttributes("axis");
        node.Expect(data is ConstantValue { Floats: not null, Dims.Length: 2 } && OnnxShapeOps.At(inputs, 1) is ActivationValue { Stage: Stage.Tokens },
            "Gather is supported as the embedding (a float [V, E] initializer indexed by the token input) and on shapes");
        node.Expect(node.Int("axis", 0) == 0, "the embedding lookup must gather rows (axis 0)");
        var table = (ConstantValue)data!;
        var tokens = (ActivationValue)inputs[1]!;
        node.Expect(table.Dims[0] is >= 2 and <= 1 << 24 && table.Dims[1] is >= 1 and <= 1 << 16, $"the embedding {table.ShapeText} is not [2..16777216, 1..65536]");
        var model = new ModelSoFar(table.Floats!, (int)table.Dims[0], (int)table.Dims[1], [], null);
        return new ActivationValue(Stage.Embedded, [.. tokens.Axes, new(AxisKind.Feature, table.Dims[1])], model);
    }

    public static OnnxValue MatMul(OnnxNode node, OnnxValue?[] inputs)
    {
        node.OnlyAttributes();
        var x = Encoded(node, OnnxShapeOps.At(inputs, 0));
        int width = (int)x.Axes[^1].Size;
        var w = OnnxShapeOps.At(inputs, 1);
        node.Expect(w is ConstantValue { Floats: not null, Dims: [_, _] } c && c.Dims[0] == width,
            $"the head's weight must be a float initializer [{width}, outputs], found {(w is null ? "none" : OnnxLayoutOps.Describe(w))}");
        var weight = (ConstantValue)w!;
        int rows = (int)weight.Dims[1];
        node.Expect(rows is >= 1 and <= 1 << 20, $"the head has {rows} outputs; expected 1..{1 << 20}");
        return Head(x, new HeadWeights(Transposed(weight.Floats!, width, rows), null, rows, width), Stage.HeadProduct);
    }

    public static OnnxValue Add(OnnxNode node, OnnxValue?[] inputs)
    {
        node.OnlyAttributes();
        node.Expect(inputs.Length == 2, "expected two inputs");
        int at = Array.FindIndex(inputs, v => v is ActivationValue);
        var product = at < 0 ? null : inputs[at] as ActivationValue;
        node.Expect(product is { Stage: Stage.HeadProduct, Model.Head.Bias: null },
            "Add is supported as the head's bias after its MatMul (residual connections and other sums are not supported)");
        var head = product.Model!.Head!;
        var bias = inputs[1 - at];
        node.Expect(bias is ConstantValue { Floats: not null } c && c.Count == head.Rows && c.Dims.Length >= 1 && c.Dims[^1] == head.Rows,
            $"the head's bias must be a float initializer [{head.Rows}], found {(bias is null ? "none" : OnnxLayoutOps.Describe(bias))}");
        return Head(product, head with { Bias = ((ConstantValue)bias!).Floats }, Stage.Head);
    }

    public static OnnxValue Gemm(OnnxNode node, OnnxValue?[] inputs)
    {
        node.OnlyAttributes("alpha", "beta", "transA", "transB");
        node.Expect(node.Float("alpha", 1) == 1 && node.Float("beta", 1) == 1 && node.Int("transA", 0) == 0, "only alpha 1, beta 1 and transA 0 are supported");
        var x = Encoded(node, OnnxShapeOps.At(inputs, 0));
        node.Expect(x.Rank == 2, $"its input is {x.AxesText}; Gemm takes [rows, features]");
        int width = (int)x.Axes[^1].Size;
        bool transB = node.Int("transB", 0) != 0;
        var w = OnnxShapeOps.At(inputs, 1);
        node.Expect(w is ConstantValue { Floats: not null, Dims: [_, _] } c && c.Dims[transB ? 1 : 0] == width,
            $"the head's weight must be a float initializer {(transB ? $"[outputs, {width}]" : $"[{width}, outputs]")}, found {(w is null ? "none" : OnnxLayoutOps.Describe(w))}");
        var weight = (ConstantValue)w!;
        int rows = (int)weight.Dims[transB ? 0 : 1];
        node.Expect(rows is >= 1 and <= 1 << 20, $"the head has {rows} outputs; expected 1..{1 << 20}");
        var c3 = OnnxShapeOps.At(inputs, 2);
        node.Expect(c3 is null || c3 is ConstantValue { Floats: not null } b && b.Count == rows && b.Dims[^1] == rows,
            $"the head's bias C must be a float initializer [{rows}], found {(c3 is null ? "none" : OnnxLayoutOps.Describe(c3))}");
        float[] bias = (c3 as ConstantValue)?.Floats ?? new float[rows];
        float[] matrix = transB ? weight.Floats! : Transposed(weight.Floats!, width, rows);
        return Head(x, new HeadWeights(matrix, bias, rows, width), Stage.Head);
    }

    /// <summary>The encoder's output, as the head reads it: an LSTM's output with its directions joined, features last.</summary>
    private static ActivationValue Encoded(OnnxNode node, OnnxValue? input)
    {
        var x = OnnxLayoutOps.Activation(node, input);
        node.Expect(x.Stage is Stage.LstmOutput or Stage.Pooled && !x.HasDirection && x.Axes[^1].Kind == AxisKind.Feature,
            $"the head must read an LSTM's output with its directions joined, or its pooling over time, found {x.Stage} values {x.AxesText}");
        return x;
    }

    private static ActivationValue Head(ActivationValue x, HeadWeights head, Stage stage) =>
        new(stage, [.. x.Axes[..^1], new(AxisKind.Feature, head.Rows)], x.Model! with { Head = head });

    /// <summary>[rows, columns] → [columns, rows].</summary>
    private static float[] Transposed(float[] m, int rows, int columns)
    {
        var t = new float[m.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) t[c * rows + r] = m[r * columns + c];
        return t;
    }
}
