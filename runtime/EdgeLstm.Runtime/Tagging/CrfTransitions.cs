namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// A tag model's CRF (head.crf): transition scores between tags and the scores of the first and last tag, kept in
/// float in every precision. <see cref="Decode"/> turns the head's per-step outputs (the emissions) into the best
/// tag path with <see cref="ViterbiDecoder"/>.
/// </summary>
public sealed class CrfTransitions
{
    public CrfTransitions(float[] transitions, float[] start, float[] end, string source)
    {
        int tags = start.Length;
        if (tags < 1 || end.Length != tags || transitions.Length != tags * tags)
            throw new ModelFormatException($"{source}: the CRF needs {tags} × {tags} transitions and {tags} end scores; got {transitions.Length} and {end.Length}");
        foreach (float[] values in new[] { transitions, start, end })
            foreach (float v in values)
                if (!float.IsFinite(v)) throw new ModelFormatException($"{source}: a CRF score is not a finite number");
        (Transitions, Start, End, Tags) = (transitions, start, end, tags);
        _rowMax = new float[tags];
        ViterbiDecoder.RowMaxima(transitions, tags, _rowMax);
    }

    private readonly float[] _rowMax;

    public float[] Transitions { get; }
    public float[] Start { get; }
    public float[] End { get; }
    public int Tags { get; }

    /// <summary>The model's CRF tensors, or null for a model without head.crf.</summary>
    public static CrfTransitions? Of(ModelDescription description, Func<string, float[]> tensor, string source) => description.Head.Crf
        ? new CrfTransitions(tensor(ModelTensors.CrfTransitions), tensor(ModelTensors.CrfStart), tensor(ModelTensors.CrfEnd), source)
        : null;

    /// <summary>The best tag of each of the steps of <paramref name="emissions"/> (steps × tags, step-major).</summary>
    public int[] Decode(ReadOnlySpan<float> emissions)
    {
        int steps = emissions.Length / Tags;
        var path = new int[steps];
        if (steps == 0) return path;
        var (floats, ints) = ViterbiDecoder.ScratchSize(steps, Tags);
        ViterbiDecoder.Decode(emissions[..(steps * Tags)], Transitions, Start, End, Tags, path, new float[floats], new int[ints], _rowMax);
        return path;
    }
}
