using static EdgeLstm.Bench.OnnxLstmModelWriter;

namespace EdgeLstm.Bench;

/// <summary>
/// Any encoder-and-head model of the description (not sequence-to-sequence) as one ONNX graph, for ONNX Runtime:
/// tokens [T, 1] (int64) → Gather (the embedding; with input.affixes, affixes [T, 1, PerWord] (int64, the ids of
/// <see cref="WordAffixes"/>, computed outside the graph like the token ids) → Gather, ReduceSum over a word's ids,
/// Concat after the embedding), or vectors x [T, 1, input]; then per layer an LSTM op
/// (direction forward, reverse or bidirectional) with its state as inputs h{l}/c{l} [D, 1, H] and outputs h{l}_out/c{l}_out,
/// its Y [T, D, 1, H] made [T, 1, D·H] for the next layer; then the head: every step's output (next token, tag,
/// regression) or max/mean over the steps, through the output layer → logits [T or 1, size].
/// Quantized: com.microsoft::DynamicQuantizeLSTM and DynamicQuantizeMatMul for the output layer (int8 weights with
/// per-output scales, activations quantized per call) — what onnxruntime's quantize_dynamic makes of a float
/// model; the embedding and affix tables stay float, as they do there. T is symbolic: the same graph steps (T = 1,
/// state fed back) and runs whole sequences.
/// </summary>
internal static class OnnxEncoderWriter
{
    /// <summary>Why the model cannot be written, or null.</summary>
    public static string? Unsupported(ModelDescription d) =>
        d.Head.Decoder is not null ? "sequence to sequence: the encoder and decoder graphs of OnnxSeq2SeqWriter"
        : d.Head.Pooling is not (Poolings.None or Poolings.Max or Poolings.Mean) ? $"pooling '{d.Head.Pooling}' is not written for ONNX"
        : null;

    public static byte[] Write(FloatLstmModel model, bool quantized)
    {
        ModelDescription d = model.Description;
        if (Unsupported(d) is { } why) throw new ArgumentException(why);
        var graph = new Proto();
        var inits = new List<Proto>();
        bool tokens = model.HasEmbedding;
        string x = "x0";
        if (tokens)
        {
            graph.Message(1, Node("Gather", ["embedding", "tokens"], [d.Input.Affixes is null ? x : "words"], IntAttribute("axis", 0)));
            inits.Add(FloatTensor("embedding", [model.Tokenizer.VocabularySize, d.Input.Size], model.Embedding));
        }
        var inputs = new List<Proto> { tokens ? Value("tokens", Int64Type, Shape("T", 1)) : Value(x, FloatType, Shape("T", 1, d.Input.Size)) };
        if (d.Input.Affixes is { } a) // [T, 1, PerWord, size] summed over the ids → [T, 1, size], after the word's embedding
        {
            graph.Message(1, Node("Gather", ["affix_table", "affixes"], ["affix_rows"], IntAttribute("axis", 0)))
                .Message(1, Node("ReduceSum", ["affix_rows", "affix_axis"], ["affix_sum"], IntAttribute("keepdims", 0)))
                .Message(1, Node("Concat", ["words", "affix_sum"], [x], IntAttribute("axis", 2)));
            inits.Add(FloatTensor("affix_table", [a.Buckets, a.Size], model.Affixes));
            inits.Add(Int64s("affix_axis", 2));
            inputs.Add(Value("affixes", Int64Type, Shape("T", 1, a.PerWord)));
        }
        var outputs = new List<Proto>();
        for (int l = 0; l < d.Encoder.Length; l++)
        {
            int hidden = d.Encoder[l].Hidden, input = d.LayerInputWidth(l), dirs = d.Encoder[l].Directions;
            FloatLstmLayer[] layers = dirs == 2 ? [model.Layers[l], model.ReverseLayers[l]!] : [model.Layers[l]];
            string p = $"l{l}_";
            var lstm = Node(quantized ? "DynamicQuantizeLSTM" : "LSTM",
                quantized ? [x, p + "W", p + "R", p + "B", "", $"h{l}", $"c{l}", "", p + "W_scale", p + "W_zero_point", p + "R_scale", p + "R_zero_point"]
                    : [x, p + "W", p + "R", p + "B", "", $"h{l}", $"c{l}"],
                [p + "y", $"h{l}_out", $"c{l}_out"],
                IntAttribute("hidden_size", hidden), StringAttribute("direction", d.Encoder[l].Bidirectional ? "bidirectional" : d.Encoder[l].Reverse ? "reverse" : "forward"));
            if (quantized) lstm.String(7, "com.microsoft");
            graph.Message(1, lstm);
            inits.Add(FloatTensor(p + "B", [dirs, 8 * hidden], [.. layers.SelectMany(a => (float[])[.. ToOnnxGateOrder(a.BiasIh, hidden, 1), .. ToOnnxGateOrder(a.BiasHh, hidden, 1)])]));
            float[][] w = layers.Select(a => ToOnnxGateOrder(a.WeightIh, hidden, input)).ToArray();
            float[][] r = layers.Select(a => ToOnnxGateOrder(a.WeightHh, hidden, hidden)).ToArray();
            if (quantized)
            {
                // ORT wants [D, input, 4H] and [D, hidden, 4H]: each direction's float layout transposed.
                var wq = w.Select(m => QuantizeColumns(m, 4 * hidden, input)).ToArray();
                var rq = r.Select(m => QuantizeColumns(m, 4 * hidden, hidden)).ToArray();
                inits.Add(Int8Tensor(p + "W", [dirs, input, 4 * hidden], [.. wq.SelectMany(q => q.Values)]));
                inits.Add(Int8Tensor(p + "R", [dirs, hidden, 4 * hidden], [.. rq.SelectMany(q => q.Values)]));
                inits.Add(FloatTensor(p + "W_scale", [dirs, 4 * hidden], [.. wq.SelectMany(q => q.Scales)]));
                inits.Add(FloatTensor(p + "R_scale", [dirs, 4 * hidden], [.. rq.SelectMany(q => q.Scales)]));
                inits.Add(Int8Tensor(p + "W_zero_point", [dirs, 4 * hidden], new byte[dirs * 4 * hidden]));
                inits.Add(Int8Tensor(p + "R_zero_point", [dirs, 4 * hidden], new byte[dirs * 4 * hidden]));
            }
            else
            {
                inits.Add(FloatTensor(p + "W", [dirs, 4 * hidden, input], [.. w.SelectMany(m => m)]));
                inits.Add(FloatTensor(p + "R", [dirs, 4 * hidden, hidden], [.. r.SelectMany(m => m)]));
            }
            // Y [T, D, 1, H] → [T, 1, D, H] → [T, 1, D·H]: the directions side by side, forward first, as our layers give them.
            string next = $"x{l + 1}";
            graph.Message(1, Node("Transpose", [p + "y"], [p + "yt"], IntsAttribute("perm", 0, 2, 1, 3)))
                .Message(1, Node("Reshape", [p + "yt", p + "shape"], [next]));
            inits.Add(Int64s(p + "shape", -1, 1, dirs * hidden));
            inputs.Add(Value($"h{l}", FloatType, Shape(dirs, 1, hidden)));
            inputs.Add(Value($"c{l}", FloatType, Shape(dirs, 1, hidden)));
            outputs.Add(Value($"h{l}_out", FloatType, Shape(dirs, 1, hidden)));
            outputs.Add(Value($"c{l}_out", FloatType, Shape(dirs, 1, hidden)));
            x = next;
        }

        int width = d.EncoderWidth, size = d.Head.Size;
        string features = "features";
        if (d.Head.Pooling == Poolings.None)
        {
            graph.Message(1, Node("Reshape", [x, "flat_shape"], [features]));
            inits.Add(Int64s("flat_shape", -1, width));
        }
        else // [T, 1, W] → [1, W]
        {
            graph.Message(1, Node(d.Head.Pooling == Poolings.Max ? "ReduceMax" : "ReduceMean", [x], [features], IntsAttribute("axes", 0), IntAttribute("keepdims", 0)));
        }
        if (quantized)
        {
            var (values, scales) = QuantizeColumns(model.HeadWeight, size, width);
            var head = Node("DynamicQuantizeMatMul", [features, "head_weight", "head_scale", "head_zero_point", "head_bias"], ["logits"]);
            graph.Message(1, head.String(7, "com.microsoft"));
            inits.Add(Int8Tensor("head_weight", [width, size], values));
            inits.Add(FloatTensor("head_scale", [size], scales));
            inits.Add(Int8Tensor("head_zero_point", [size], new byte[size]));
        }
        else
        {
            graph.Message(1, Node("Gemm", [features, "head_weight", "head_bias"], ["logits"], IntAttribute("transB", 1)));
            inits.Add(FloatTensor("head_weight", [size, width], model.HeadWeight));
        }
        inits.Add(FloatTensor("head_bias", [size], model.HeadBias));
        outputs.Insert(0, Value("logits", FloatType, Shape(d.Head.Pooling == Poolings.None ? "T" : 1, size)));

        graph.String(2, "edgelstm-peer");
        foreach (Proto i in inits) graph.Message(5, i);
        foreach (Proto i in inputs) graph.Message(11, i);
        foreach (Proto o in outputs) graph.Message(12, o);
        var onnx = new Proto().Int(1, 8).String(2, "edgelstm-bench").Message(7, graph).Message(8, new Proto().String(1, "").Int(2, 17));
        if (quantized) onnx.Message(8, new Proto().String(1, "com.microsoft").Int(2, 1));
        return onnx.ToArray();
    }

    private static Proto Int64s(string name, params long[] values) =>
        Tensor(name, [values.Length], Int64Type, values.SelectMany(BitConverter.GetBytes).ToArray());
}
