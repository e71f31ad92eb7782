namespace EdgeLstm.Runtime;

/// <summary>Vector input's stored normalisation: x ← (x − mean) / std per column, as the trainer fitted it.</summary>
public static class VectorNormalization
{
    /// <summary>Steps in <paramref name="inputs"/> (step-major vectors) for a model with this input; throws on a wrong kind or length.</summary>
    public static int StepsOf(InputDescription input, ReadOnlySpan<float> inputs)
    {
        if (input.Kind != InputKinds.Vectors) throw new NotSupportedException("this model reads token ids; run it with Run");
        if (inputs.IsEmpty || inputs.Length % input.Size != 0)
            throw new ArgumentException($"inputs hold {inputs.Length} floats; expected a positive multiple of the input size {input.Size}", nameof(inputs));
        return inputs.Length / input.Size;
    }

    /// <summary>Steps in an encoder's vector input, [step][stream][input size]; throws unless it is a positive multiple of streams × size.</summary>
    public static int StepsOf(int size, int streams, ReadOnlySpan<float> vectors)
    {
        if (vectors.IsEmpty || vectors.Length % (size * streams) != 0)
            throw new ArgumentException($"inputs hold {vectors.Length} floats; expected a positive multiple of {streams} × the input size {size}", nameof(vectors));
        return vectors.Length / (size * streams);
    }

    /// <param name="values">Step-major vectors of <c>input.Size</c> floats, normalised in place.</param>
    public static void Apply(InputDescription input, Span<float> values)
    {
        if (input.Mean is null && input.Std is null) return;
        int size = input.Size;
        for (int i = 0; i < values.Length; i++)
        {
            int j = i % size;
            float v = values[i];
            if (input.Mean is not null) v -= input.Mean[j];
            if (input.Std is not null) v /= input.Std[j];
            values[i] = v;
        }
    }
}
