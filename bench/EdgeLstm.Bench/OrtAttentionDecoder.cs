namespace EdgeLstm.Bench;

/// <summary>ONNX Runtime: the encoder graph once per word, then the decoder-step graph for all live hypotheses.</summary>
internal sealed class OrtAttentionDecoder : IAttentionDecoder
{
    private readonly InferenceSession _encoder, _step;
    private readonly RunOptions _run = new();
    private readonly int _hidden, _width;
    private float[] _outputs = [], _keys = [], _h = [], _c = [];
    private int _steps;

    public OrtAttentionDecoder(FloatLstmModel model, bool quantized, int threads = 1)
    {
        using var options = OrtPeerModel.Options(threads);
        _encoder = new InferenceSession(OnnxSeq2SeqWriter.Encoder(model, quantized), options);
        _step = new InferenceSession(OnnxSeq2SeqWriter.DecoderStep(model, quantized), options);
        _hidden = model.Description.Head.Decoder!.Hidden;
        _width = model.Description.EncoderWidth;
        Vocabulary = model.Description.Head.Size;
        _h = new float[MaxStreams * _hidden];
        _c = new float[MaxStreams * _hidden];
    }

    public int MaxStreams => BeamSearchTransducer.DefaultMaxBeam;
    public int Vocabulary { get; }

    public void Begin(ReadOnlySpan<int> tokens)
    {
        _steps = tokens.Length;
        long[] ids = new long[_steps];
        for (int t = 0; t < _steps; t++) ids[t] = tokens[t];
        using var input = OrtValue.CreateTensorValueFromMemory(ids, [_steps, 1]);
        using var results = _encoder.Run(_run, ["tokens"], [input], ["outputs", "keys", "h0"]);
        _outputs = results[0].GetTensorDataAsSpan<float>().ToArray();
        _keys = results[1].GetTensorDataAsSpan<float>().ToArray();
        results[2].GetTensorDataAsSpan<float>().CopyTo(_h);
        Array.Clear(_c);
    }

    public void Step(ReadOnlySpan<int> previous, Span<float> logits)
    {
        int n = previous.Length;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = previous[i];
        using var p = OrtValue.CreateTensorValueFromMemory(ids, [n]);
        using var h = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _h.AsMemory(0, n * _hidden), [1, n, _hidden]);
        using var c = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _c.AsMemory(0, n * _hidden), [1, n, _hidden]);
        using var o = OrtValue.CreateTensorValueFromMemory(_outputs, [_steps, _width]);
        using var k = OrtValue.CreateTensorValueFromMemory(_keys, [_steps, _hidden]);
        using var results = _step.Run(_run, ["previous", "h", "c", "outputs", "keys"], [p, h, c, o, k], ["logits", "h_next", "c_next"]);
        results[0].GetTensorDataAsSpan<float>().CopyTo(logits);
        results[1].GetTensorDataAsSpan<float>().CopyTo(_h);
        results[2].GetTensorDataAsSpan<float>().CopyTo(_c);
    }

    public void Reorder(ReadOnlySpan<int> parents)
    {
        float[] h = (float[])_h.Clone(), c = (float[])_c.Clone();
        for (int i = 0; i < parents.Length; i++)
        {
            h.AsSpan(parents[i] * _hidden, _hidden).CopyTo(_h.AsSpan(i * _hidden));
            c.AsSpan(parents[i] * _hidden, _hidden).CopyTo(_c.AsSpan(i * _hidden));
        }
    }

    public void Dispose()
    {
        _run.Dispose();
        _encoder.Dispose();
        _step.Dispose();
    }
}
