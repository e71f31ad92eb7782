namespace EdgeLstm.Runtime.Float;

/// <summary>A float model's output layer over vectors: bias + W·x for each, summed in <see cref="FloatMatVec"/>'s fixed order (or by the scalar reference).</summary>
internal static class FloatOutputLayer
{
    /// <param name="inputs">count vectors of the head's input width, one after another.</param>
    /// <param name="outputs">count × output size values.</param>
    public static void Apply(FloatLstmModel model, ReadOnlySpan<float> inputs, int count, Span<float> outputs, bool reference = false)
    {
        int size = model.HeadBias.Length, width = model.HeadWeight.Length / size;
        for (int b = 0; b < count; b++) model.HeadBias.CopyTo(outputs.Slice(b * size, size));
        if (!reference)
        {
            FloatMatVec.MultiplyAdd(model.PackedHead, inputs[..(count * width)], count, outputs);
            return;
        }
        for (int b = 0; b < count; b++) FloatLstmReference.MatVecAdd(model.HeadWeight, inputs.Slice(b * width, width), outputs.Slice(b * size, size));
    }
}
