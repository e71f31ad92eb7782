namespace EdgeLstm.Converter;

/// <summary>
/// Static activation scales: run the float model over calibration text and take each layer's largest |h|
/// (h is bounded by 1, so the scale is at most 1/127). Used by `edgelstm convert --calib FILE`.
/// </summary>
public static class ActivationCalibrator
{
    public static float[] HScales(FloatLstmModel model, ReadOnlySpan<int> tokens)
    {
        if (tokens.Length == 0) throw new ArgumentException("--calib: the calibration text is empty");
        var session = model.CreateSession();
        var maxAbs = new float[model.Layers.Length];
        var state = new float[session.StateLength];
        foreach (int token in tokens)
        {
            session.Step(token);
            session.SaveState(state);
            int offset = 0;
            for (int k = 0; k < model.Layers.Length; k++)
            {
                int hidden = model.Layers[k].HiddenSize;
                foreach (float v in state.AsSpan(offset, hidden)) maxAbs[k] = MathF.Max(maxAbs[k], MathF.Abs(v));
                offset += 2 * hidden; // h, then c
            }
        }
        var scales = new float[maxAbs.Length];
        for (int k = 0; k < scales.Length; k++) scales[k] = MathF.Max(maxAbs[k], 1e-6f) / 127f;
        return scales;
    }
}
