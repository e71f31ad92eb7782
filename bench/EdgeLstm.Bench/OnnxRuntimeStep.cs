namespace EdgeLstm.Bench;

/// <summary>
/// ONNX Runtime stepping a one-layer LSTM, batch 1, one intra-op thread, state fed back: the float <c>LSTM</c> op
/// or the int8 <c>com.microsoft::DynamicQuantizeLSTM</c>, on the same weights as our runtime. Inputs and outputs
/// are pre-allocated tensors over managed arrays, so a step is one Run call plus two small copies.
/// </summary>
internal sealed class OnnxRuntimeStep : IDisposable
{
    private static readonly string[] InputNames = ["X", "initial_h", "initial_c"];
    private static readonly string[] OutputNames = ["Y_h", "Y_c"];

    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly float[] _x, _h, _c, _hOut, _cOut;
    private readonly OrtValue[] _inputs, _outputs;

    public OnnxRuntimeStep(FloatLstmLayer layer, bool quantized)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(quantized ? OnnxLstmModelWriter.DynamicQuantizeLstm(layer) : OnnxLstmModelWriter.FloatLstm(layer), options);
        int hidden = layer.HiddenSize;
        _x = new float[layer.InputSize];
        _h = new float[hidden];
        _c = new float[hidden];
        _hOut = new float[hidden];
        _cOut = new float[hidden];
        long[] stateShape = [1, 1, hidden];
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(_x, [1, 1, layer.InputSize]),
            OrtValue.CreateTensorValueFromMemory(_h, stateShape),
            OrtValue.CreateTensorValueFromMemory(_c, stateShape),
        ];
        _outputs = [OrtValue.CreateTensorValueFromMemory(_hOut, stateShape), OrtValue.CreateTensorValueFromMemory(_cOut, stateShape)];
    }

    /// <summary>The hidden state after the last step.</summary>
    public ReadOnlySpan<float> Hidden => _h;

    /// <summary>One step on input <paramref name="x"/> (length input), the new state kept for the next step.</summary>
    public void Step(ReadOnlySpan<float> x)
    {
        x.CopyTo(_x);
        _session.Run(_run, InputNames, _inputs, OutputNames, _outputs);
        _hOut.CopyTo(_h, 0);
        _cOut.CopyTo(_c, 0);
    }

    public void Dispose()
    {
        foreach (var value in _inputs) value.Dispose();
        foreach (var value in _outputs) value.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
