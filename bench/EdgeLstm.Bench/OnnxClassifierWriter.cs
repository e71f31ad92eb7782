using static EdgeLstm.Bench.OnnxLstmModelWriter;

namespace EdgeLstm.Bench;

/// <summary>
/// A one-layer BiLSTM classifier with max pooling as an ONNX graph, for ONNX Runtime: tokens [T, 1] (int64) →
/// Gather (the embedding) → LSTM direction=bidirectional (float) or com.microsoft::DynamicQuantizeLSTM (int8
/// weights, per-channel scales) → ReduceMax over time → Transpose/Reshape to [1, 2H] → Gemm (the output layer).
/// T is a symbolic dimension, so one session runs sentences and emails. Same weights as our runtime's model.
/// </summary>
internal static class OnnxClassifierWriter
{
    public static byte[] Write(FloatLstmModel model, bool quantized)
    {
        ModelDescription d = model.Description;
        if (d.Encoder.Length != 1 || !d.Encoder[0].Bidirectional || d.Head.Pooling != Poolings.Max)
            throw new ArgumentException("the ONNX peer is written for one bidirectional layer with max pooling");
        int e = d.Input.Size, hidden = d.Encoder[0].Hidden, classes = d.Head.Size;
        FloatLstmLayer forward = model.Layers[0], reverse = model.ReverseLayers[0]!;
        var graph = new Proto();
        graph.Message(1, Node("Gather", ["embedding", "tokens"], ["x"], new Proto().String(1, "axis").Int(3, 0).Int(20, 2)));
        var lstm = Node(quantized ? "DynamicQuantizeLSTM" : "LSTM",
            quantized ? ["x", "W", "R", "B", "", "", "", "", "W_scale", "W_zero_point", "R_scale", "R_zero_point"] : ["x", "W", "R", "B"], ["y"],
            new Proto().String(1, "hidden_size").Int(3, hidden).Int(20, 2),
            new Proto().String(1, "direction").Bytes(4, System.Text.Encoding.UTF8.GetBytes("bidirectional")).Int(20, 3));
        if (quantized) lstm.String(7, "com.microsoft");
        graph.Message(1, lstm)
            .Message(1, Node("ReduceMax", ["y"], ["pooled"], new Proto().String(1, "axes").Int(8, 0).Int(20, 7), new Proto().String(1, "keepdims").Int(3, 0).Int(20, 2)))
            .Message(1, Node("Transpose", ["pooled"], ["batch_first"], new Proto().String(1, "perm").Int(8, 1).Int(8, 0).Int(8, 2).Int(20, 7)))
            .Message(1, Node("Reshape", ["batch_first", "flat_shape"], ["flat"]))
            .Message(1, Node("Gemm", ["flat", "fc_weight", "fc_bias"], ["logits"], new Proto().String(1, "transB").Int(3, 1).Int(20, 2)))
            .String(2, "edgelstm-classifier-peer");

        graph.Message(5, FloatTensor("embedding", [model.Tokenizer.VocabularySize, e], model.Embedding))
            .Message(5, FloatTensor("fc_weight", [classes, 2 * hidden], model.HeadWeight))
            .Message(5, FloatTensor("fc_bias", [classes], model.HeadBias))
            .Message(5, Tensor("flat_shape", [2], Int64Type, BitConverter.GetBytes(1L).Concat(BitConverter.GetBytes(2L * hidden)).ToArray()));
        float[] bias = [.. Bias(forward, hidden), .. Bias(reverse, hidden)];
        graph.Message(5, FloatTensor("B", [2, 8 * hidden], bias));
        float[] w = [.. ToOnnxGateOrder(forward.WeightIh, hidden, e), .. ToOnnxGateOrder(reverse.WeightIh, hidden, e)];
        float[] r = [.. ToOnnxGateOrder(forward.WeightHh, hidden, hidden), .. ToOnnxGateOrder(reverse.WeightHh, hidden, hidden)];
        if (quantized)
        {
            // [num_directions, input, 4H]: each direction's float layout transposed.
            var (wf, wfs) = QuantizeColumns(w[..(4 * hidden * e)], 4 * hidden, e);
            var (wr, wrs) = QuantizeColumns(w[(4 * hidden * e)..], 4 * hidden, e);
            var (rf, rfs) = QuantizeColumns(r[..(4 * hidden * hidden)], 4 * hidden, hidden);
            var (rr, rrs) = QuantizeColumns(r[(4 * hidden * hidden)..], 4 * hidden, hidden);
            graph.Message(5, Int8Tensor("W", [2, e, 4 * hidden], [.. wf, .. wr]))
                .Message(5, Int8Tensor("R", [2, hidden, 4 * hidden], [.. rf, .. rr]))
                .Message(5, FloatTensor("W_scale", [2, 4 * hidden], [.. wfs, .. wrs]))
                .Message(5, Int8Tensor("W_zero_point", [2, 4 * hidden], new byte[8 * hidden]))
                .Message(5, FloatTensor("R_scale", [2, 4 * hidden], [.. rfs, .. rrs]))
                .Message(5, Int8Tensor("R_zero_point", [2, 4 * hidden], new byte[8 * hidden]));
        }
        else
        {
            graph.Message(5, FloatTensor("W", [2, 4 * hidden, e], w)).Message(5, FloatTensor("R", [2, 4 * hidden, hidden], r));
        }
        graph.Message(11, Value("tokens", Int64Type, new Proto().Message(1, new Proto().String(2, "T")).Message(1, new Proto().Int(1, 1))))
            .Message(12, Value("logits", FloatType, new Proto().Message(1, new Proto().Int(1, 1)).Message(1, new Proto().Int(1, classes))));
        var onnx = new Proto().Int(1, 8).String(2, "edgelstm-bench").Message(7, graph).Message(8, new Proto().String(1, "").Int(2, 17));
        if (quantized) onnx.Message(8, new Proto().String(1, "com.microsoft").Int(2, 1));
        return onnx.ToArray();
    }

    private static float[] Bias(FloatLstmLayer layer, int hidden) =>
        [.. ToOnnxGateOrder(layer.BiasIh, hidden, 1), .. ToOnnxGateOrder(layer.BiasHh, hidden, 1)];
}
