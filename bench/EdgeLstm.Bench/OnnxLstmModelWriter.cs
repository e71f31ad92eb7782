using Google.Protobuf;

namespace EdgeLstm.Bench;

/// <summary>
/// Writes one-layer LSTM models for ONNX Runtime, the peer: the standard ONNX <c>LSTM</c> (float) and ORT's
/// <c>com.microsoft::DynamicQuantizeLSTM</c> (int8 weights, per-output-column scales, zero points 0). Both take
/// X [1, 1, input] and initial_h / initial_c [1, 1, hidden] and give Y_h / Y_c, so a caller steps them with the
/// state fed back. The protobuf is written with Google.Protobuf's wire writer and onnx.proto's field numbers.
/// </summary>
internal static class OnnxLstmModelWriter
{
    private const int Float = 1, Int8 = 3; // TensorProto.DataType
    /// <summary>TensorProto.DataType of the graph inputs and outputs the task writers declare.</summary>
    internal const int FloatType = Float, Int64Type = 7;

    public static byte[] FloatLstm(FloatLstmLayer layer) => Model(layer, quantized: false);

    public static byte[] DynamicQuantizeLstm(FloatLstmLayer layer) => Model(layer, quantized: true);

    /// <param name="anySteps">X is [T, 1, input] with T symbolic (a whole history in one run) instead of one step.</param>
    public static byte[] Model(FloatLstmLayer layer, bool quantized, bool anySteps = false)
    {
        int input = layer.InputSize, hidden = layer.HiddenSize;
        var graph = new Proto();
        var node = new Proto()
            .Strings(1, quantized
                ? ["X", "W", "R", "B", "", "initial_h", "initial_c", "", "W_scale", "W_zero_point", "R_scale", "R_zero_point"]
                : ["X", "W", "R", "B", "", "initial_h", "initial_c"])
            .Strings(2, ["", "Y_h", "Y_c"])
            .String(3, "lstm")
            .String(4, quantized ? "DynamicQuantizeLSTM" : "LSTM")
            .Message(5, new Proto().String(1, "hidden_size").Int(3, hidden).Int(20, 2)); // AttributeProto, type INT
        if (quantized) node.String(7, "com.microsoft");
        graph.Message(1, node).String(2, "edgelstm-peer");

        float[] bias = [.. ToOnnxGateOrder(layer.BiasIh, hidden, 1), .. ToOnnxGateOrder(layer.BiasHh, hidden, 1)];
        graph.Message(5, FloatTensor("B", [1, 8 * hidden], bias));
        float[] w = ToOnnxGateOrder(layer.WeightIh, hidden, input), r = ToOnnxGateOrder(layer.WeightHh, hidden, hidden);
        if (quantized)
        {
            // ORT wants W as [1, input, 4H] and R as [1, hidden, 4H]: the float layout transposed.
            var (wq, wScale) = QuantizeColumns(w, 4 * hidden, input);
            var (rq, rScale) = QuantizeColumns(r, 4 * hidden, hidden);
            graph.Message(5, Int8Tensor("W", [1, input, 4 * hidden], wq))
                .Message(5, Int8Tensor("R", [1, hidden, 4 * hidden], rq))
                .Message(5, FloatTensor("W_scale", [1, 4 * hidden], wScale))
                .Message(5, Int8Tensor("W_zero_point", [1, 4 * hidden], new byte[4 * hidden]))
                .Message(5, FloatTensor("R_scale", [1, 4 * hidden], rScale))
                .Message(5, Int8Tensor("R_zero_point", [1, 4 * hidden], new byte[4 * hidden]));
        }
        else
        {
            graph.Message(5, FloatTensor("W", [1, 4 * hidden, input], w))
                .Message(5, FloatTensor("R", [1, 4 * hidden, hidden], r));
        }
        graph.Message(11, anySteps ? ValueInfo("X", new Proto().Message(1, new Proto().String(2, "T")).Message(1, new Proto().Int(1, 1)).Message(1, new Proto().Int(1, input)))
                : ValueInfo("X", [1, 1, input]))
            .Message(11, ValueInfo("initial_h", [1, 1, hidden]))
            .Message(11, ValueInfo("initial_c", [1, 1, hidden]))
            .Message(12, ValueInfo("Y_h", [1, 1, hidden]))
            .Message(12, ValueInfo("Y_c", [1, 1, hidden]));

        var model = new Proto()
            .Int(1, 8) // IR version 8 (ONNX 1.10+)
            .String(2, "edgelstm-bench")
            .Message(7, graph)
            .Message(8, new Proto().String(1, "").Int(2, 17));
        if (quantized) model.Message(8, new Proto().String(1, "com.microsoft").Int(2, 1));
        return model.ToArray();
    }

    /// <summary>PyTorch packs the 4H rows as i, f, g, o; ONNX as i, o, f, c (c = g).</summary>
    internal static float[] ToOnnxGateOrder(float[] rows, int hidden, int columns)
    {
        var result = new float[rows.Length];
        int block = hidden * columns;
        ReadOnlySpan<int> fromPyTorchGate = [0, 3, 1, 2];
        for (int k = 0; k < 4; k++) rows.AsSpan(fromPyTorchGate[k] * block, block).CopyTo(result.AsSpan(k * block));
        return result;
    }

    /// <summary>Symmetric int8 per output row (ORT's per-channel axis, 4H), written transposed to [columns, rows].</summary>
    internal static (byte[] Values, float[] Scales) QuantizeColumns(float[] weights, int rows, int columns)
    {
        var values = new byte[rows * columns];
        var scales = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            float max = 0;
            for (int c = 0; c < columns; c++) max = Math.Max(max, Math.Abs(weights[r * columns + c]));
            float scale = max > 0 ? max / 127 : 1;
            scales[r] = scale;
            for (int c = 0; c < columns; c++)
                values[c * rows + r] = (byte)(sbyte)Math.Clamp(MathF.Round(weights[r * columns + c] / scale), -127, 127);
        }
        return (values, scales);
    }

    internal static Proto FloatTensor(string name, long[] dims, float[] data)
    {
        var bytes = new byte[data.Length * sizeof(float)];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length); // raw_data is little-endian, as this machine is
        return Tensor(name, dims, Float, bytes);
    }

    internal static Proto Int8Tensor(string name, long[] dims, byte[] data) => Tensor(name, dims, Int8, data);

    internal static Proto Tensor(string name, long[] dims, int type, byte[] raw)
    {
        var tensor = new Proto();
        foreach (long d in dims) tensor.Int(1, d);
        return tensor.Int(2, type).String(8, name).Bytes(9, raw);
    }

    private static Proto ValueInfo(string name, long[] dims)
    {
        var shape = new Proto();
        foreach (long d in dims) shape.Message(1, new Proto().Int(1, d));
        return ValueInfo(name, shape);
    }

    private static Proto ValueInfo(string name, Proto shape) =>
        new Proto().String(1, name).Message(2, new Proto().Message(1, new Proto().Int(1, Float).Message(2, shape)));

    /// <summary>A NodeProto: op type in the default domain (set field 7 for another), its inputs, outputs and attributes.</summary>
    internal static Proto Node(string op, string[] inputs, string[] outputs, params Proto[] attributes)
    {
        // Node names must be unique in a graph: the op and its first output.
        string name = op.ToLowerInvariant() + "_" + (Array.Find(outputs, o => o.Length > 0) ?? "");
        var node = new Proto().Strings(1, inputs).Strings(2, outputs).String(3, name).String(4, op);
        foreach (Proto a in attributes) node.Message(5, a);
        return node;
    }

    /// <summary>A ValueInfoProto of element type <paramref name="type"/> and a TensorShapeProto.</summary>
    internal static Proto Value(string name, int type, Proto shape) =>
        new Proto().String(1, name).Message(2, new Proto().Message(1, new Proto().Int(1, type).Message(2, shape)));

    /// <summary>A TensorShapeProto: numbers are fixed dimensions, strings symbolic ones.</summary>
    internal static Proto Shape(params object[] dims)
    {
        var shape = new Proto();
        foreach (object d in dims)
            shape.Message(1, d is string symbol ? new Proto().String(2, symbol) : new Proto().Int(1, Convert.ToInt64(d)));
        return shape;
    }

    internal static Proto IntAttribute(string name, long value) => new Proto().String(1, name).Int(3, value).Int(20, 2);

    internal static Proto IntsAttribute(string name, params long[] values)
    {
        var a = new Proto().String(1, name);
        foreach (long v in values) a.Int(8, v);
        return a.Int(20, 7);
    }

    internal static Proto StringAttribute(string name, string value) =>
        new Proto().String(1, name).Bytes(4, System.Text.Encoding.UTF8.GetBytes(value)).Int(20, 3);
}
