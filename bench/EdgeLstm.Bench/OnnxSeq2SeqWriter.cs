using static EdgeLstm.Bench.OnnxLstmModelWriter;

namespace EdgeLstm.Bench;

/// <summary>
/// A grapheme-to-phoneme model (<see cref="DecoderDescription"/>) as two ONNX graphs for ONNX Runtime, same weights:
/// the encoder — tokens [T, 1] → Gather → bidirectional LSTM layers (float LSTM, or com.microsoft::DynamicQuantizeLSTM)
/// → outputs [T, 2H], keys W_a·E [T, Hd] and h₀ = tanh(bridge · the top layer's final states, Y_h) — and one decoder
/// step for B hypotheses — previous [B] → Gather → LSTM (state in and out) → scores against the keys → Softmax →
/// context → tanh(W_c [context; h]) → Gemm → logits [B, V]. Attention and output products are float MatMul in both.
/// </summary>
internal static class OnnxSeq2SeqWriter
{
    public static byte[] Encoder(FloatLstmModel model, bool quantized)
    {
        ModelDescription d = model.Description;
        int width = d.EncoderWidth, hidden = d.Head.Decoder!.Hidden;
        var graph = new Proto();
        var initializers = new List<Proto>();
        graph.Message(1, Node("Gather", ["embedding", "tokens"], ["x0"], IntAttribute("axis", 0)));
        initializers.Add(FloatTensor("embedding", [model.Tokenizer.VocabularySize, d.Input.Size], model.Embedding));
        initializers.Add(Tensor("merge_shape", [3], Int64Type, Longs(0, 0, -1)));
        string x = "x0";
        for (int k = 0; k < d.Encoder.Length; k++)
        {
            string y = $"y{k}", yh = k == d.Encoder.Length - 1 ? "final" : $"yh{k}";
            AddLstm(graph, initializers, $"l{k}", [x], [y, yh], model.Layers[k], model.ReverseLayers[k], quantized);
            // [T, 2, 1, H] → [T, 1, 2, H] → [T, 1, 2H]: both directions side by side, as PyTorch and our runtime lay them.
            graph.Message(1, Node("Transpose", [y], [$"t{k}"], IntsAttribute("perm", 0, 2, 1, 3)))
                .Message(1, Node("Reshape", [$"t{k}", "merge_shape"], [$"x{k + 1}"]));
            x = $"x{k + 1}";
        }
        initializers.Add(Tensor("flat_shape", [2], Int64Type, Longs(-1, width)));
        initializers.Add(Tensor("row_shape", [2], Int64Type, Longs(1, width)));
        initializers.Add(FloatTensor("attention_t", [width, hidden], Transpose(model.Tensor(ModelTensors.AttentionWeight), hidden, width)));
        initializers.Add(FloatTensor("bridge_w", [hidden, width], model.Tensor(ModelTensors.BridgeWeight)));
        initializers.Add(FloatTensor("bridge_b", [hidden], model.Tensor(ModelTensors.BridgeBias)));
        graph.Message(1, Node("Reshape", [x, "flat_shape"], ["outputs"]))
            .Message(1, Node("MatMul", ["outputs", "attention_t"], ["keys"]))
            // Y_h of the top layer is [2, 1, H]: the forward state after the last step, the reverse one after the first.
            .Message(1, Node("Reshape", ["final", "row_shape"], ["final_row"]))
            .Message(1, Node("Gemm", ["final_row", "bridge_w", "bridge_b"], ["bridged"], IntAttribute("transB", 1)))
            .Message(1, Node("Tanh", ["bridged"], ["h0"]))
            .String(2, "edgelstm-g2p-encoder");
        foreach (var i in initializers) graph.Message(5, i);
        graph.Message(11, Value("tokens", Int64Type, Shape("T", 1)))
            .Message(12, Value("outputs", FloatType, Shape("T", width)))
            .Message(12, Value("keys", FloatType, Shape("T", hidden)))
            .Message(12, Value("h0", FloatType, Shape(1, hidden)));
        return Model(graph, quantized);
    }

    public static byte[] DecoderStep(FloatLstmModel model, bool quantized)
    {
        ModelDescription d = model.Description;
        DecoderDescription decoder = d.Head.Decoder!;
        int width = d.EncoderWidth, hidden = decoder.Hidden, v = d.Head.Size;
        var graph = new Proto();
        var initializers = new List<Proto>
        {
            FloatTensor("decoder_embedding", [v, decoder.Embedding], model.Tensor(ModelTensors.DecoderEmbedding)),
            FloatTensor("attention_out_t", [width + hidden, hidden], Transpose(model.Tensor(ModelTensors.AttentionOutWeight), hidden, width + hidden)),
            FloatTensor("fc_w", [v, hidden], model.HeadWeight),
            FloatTensor("fc_b", [v], model.HeadBias),
            Tensor("h_shape", [2], Int64Type, Longs(-1, hidden)),
            Tensor("zero_axis", [1], Int64Type, Longs(0)),
        };
        graph.Message(1, Node("Gather", ["decoder_embedding", "previous"], ["embedded"], IntAttribute("axis", 0)))
            .Message(1, Node("Unsqueeze", ["embedded", "zero_axis"], ["x"]));
        AddLstm(graph, initializers, "decoder", ["x", "", "h", "c"], ["", "h_next", "c_next"], model.DecoderLayer!, null, quantized);
        graph.Message(1, Node("Reshape", ["h_next", "h_shape"], ["hb"]))
            .Message(1, Node("Transpose", ["keys"], ["keys_t"], IntsAttribute("perm", 1, 0)))
            .Message(1, Node("MatMul", ["hb", "keys_t"], ["scores"]))
            .Message(1, Node("Softmax", ["scores"], ["alpha"], IntAttribute("axis", 1)))
            .Message(1, Node("MatMul", ["alpha", "outputs"], ["context"]))
            .Message(1, Node("Concat", ["context", "hb"], ["joined"], IntAttribute("axis", 1)))
            .Message(1, Node("MatMul", ["joined", "attention_out_t"], ["mixed_in"]))
            .Message(1, Node("Tanh", ["mixed_in"], ["mixed"]))
            .Message(1, Node("Gemm", ["mixed", "fc_w", "fc_b"], ["logits"], IntAttribute("transB", 1)))
            .String(2, "edgelstm-g2p-decoder-step");
        foreach (var i in initializers) graph.Message(5, i);
        graph.Message(11, Value("previous", Int64Type, Shape("B")))
            .Message(11, Value("h", FloatType, Shape(1, "B", hidden)))
            .Message(11, Value("c", FloatType, Shape(1, "B", hidden)))
            .Message(11, Value("outputs", FloatType, Shape("T", width)))
            .Message(11, Value("keys", FloatType, Shape("T", hidden)))
            .Message(12, Value("logits", FloatType, Shape("B", v)))
            .Message(12, Value("h_next", FloatType, Shape(1, "B", hidden)))
            .Message(12, Value("c_next", FloatType, Shape(1, "B", hidden)));
        return Model(graph, quantized);
    }

    /// <summary>An LSTM node over one or both directions of a layer; inputs X (and optionally "", initial_h, initial_c).</summary>
    private static void AddLstm(Proto graph, List<Proto> initializers, string prefix, string[] inputs, string[] outputs, FloatLstmLayer forward,
        FloatLstmLayer? reverse, bool quantized)
    {
        int hidden = forward.HiddenSize, input = forward.InputSize, directions = reverse is null ? 1 : 2;
        FloatLstmLayer[] layers = reverse is null ? [forward] : [forward, reverse];
        float[] w = layers.SelectMany(l => ToOnnxGateOrder(l.WeightIh, hidden, input)).ToArray();
        float[] r = layers.SelectMany(l => ToOnnxGateOrder(l.WeightHh, hidden, hidden)).ToArray();
        float[] b = layers.SelectMany(l => ToOnnxGateOrder(l.BiasIh, hidden, 1).Concat(ToOnnxGateOrder(l.BiasHh, hidden, 1))).ToArray();
        string W = prefix + "_W", R = prefix + "_R", B = prefix + "_B";
        initializers.Add(FloatTensor(B, [directions, 8 * hidden], b));
        string[] all = [inputs[0], W, R, B, .. inputs.Skip(1)];
        if (quantized)
        {
            // [directions, input, 4H] int8 with a scale per output column, zero points 0.
            var wq = Enumerable.Range(0, directions).Select(k => QuantizeColumns(w[(k * 4 * hidden * input)..((k + 1) * 4 * hidden * input)], 4 * hidden, input)).ToArray();
            var rq = Enumerable.Range(0, directions).Select(k => QuantizeColumns(r[(k * 4 * hidden * hidden)..((k + 1) * 4 * hidden * hidden)], 4 * hidden, hidden)).ToArray();
            initializers.Add(Int8Tensor(W, [directions, input, 4 * hidden], wq.SelectMany(q => q.Values).ToArray()));
            initializers.Add(Int8Tensor(R, [directions, hidden, 4 * hidden], rq.SelectMany(q => q.Values).ToArray()));
            initializers.Add(FloatTensor(W + "_scale", [directions, 4 * hidden], wq.SelectMany(q => q.Scales).ToArray()));
            initializers.Add(Int8Tensor(W + "_zero", [directions, 4 * hidden], new byte[directions * 4 * hidden]));
            initializers.Add(FloatTensor(R + "_scale", [directions, 4 * hidden], rq.SelectMany(q => q.Scales).ToArray()));
            initializers.Add(Int8Tensor(R + "_zero", [directions, 4 * hidden], new byte[directions * 4 * hidden]));
            while (all.Length < 8) all = [.. all, ""];
            all = [.. all, W + "_scale", W + "_zero", R + "_scale", R + "_zero"];
        }
        else
        {
            initializers.Add(FloatTensor(W, [directions, 4 * hidden, input], w));
            initializers.Add(FloatTensor(R, [directions, 4 * hidden, hidden], r));
        }
        var node = Node(quantized ? "DynamicQuantizeLSTM" : "LSTM", all, outputs, IntAttribute("hidden_size", hidden),
            StringAttribute("direction", reverse is null ? "forward" : "bidirectional"));
        if (quantized) node.String(7, "com.microsoft");
        graph.Message(1, node);
    }

    private static byte[] Model(Proto graph, bool quantized)
    {
        var onnx = new Proto().Int(1, 8).String(2, "edgelstm-bench").Message(7, graph).Message(8, new Proto().String(1, "").Int(2, 17));
        if (quantized) onnx.Message(8, new Proto().String(1, "com.microsoft").Int(2, 1));
        return onnx.ToArray();
    }

    private static float[] Transpose(float[] rowMajor, int rows, int cols)
    {
        var t = new float[rowMajor.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = rowMajor[r * cols + c];
        return t;
    }

    private static byte[] Longs(params long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();
}
