namespace EdgeLstm.Runtime.Float;

/// <summary>
/// The recurrent state of a session, float or int8: h and c for every layer (a batch keeps each layer's streams
/// side by side). A snapshot is an independent copy; <see cref="Save"/>/<see cref="Load"/> flatten it layer by
/// layer, h then c.
/// </summary>
public sealed class LstmState
{
    public LstmState(IReadOnlyList<int> hiddenSizes)
    {
        H = new float[hiddenSizes.Count][];
        C = new float[hiddenSizes.Count][];
        for (int k = 0; k < hiddenSizes.Count; k++)
        {
            H[k] = new float[hiddenSizes[k]];
            C[k] = new float[hiddenSizes[k]];
        }
    }

    /// <summary>
    /// An encoder's state for <paramref name="streams"/> streams side by side: each layer's forward direction, and
    /// each bidirectional layer's reverse direction (empty for layers of one direction: a reverse layer's state is in the first).
    /// </summary>
    public static (LstmState Forward, LstmState Reverse) ForEncoder(ModelDescription description, int streams) =>
        (new LstmState(Array.ConvertAll(description.Encoder, l => streams * l.Hidden)),
         new LstmState(Array.ConvertAll(description.Encoder, l => l.Bidirectional ? streams * l.Hidden : 0)));

    public float[][] H { get; }
    public float[][] C { get; }

    public void Clear()
    {
        foreach (var h in H) Array.Clear(h);
        foreach (var c in C) Array.Clear(c);
    }

    public void CopyTo(LstmState target)
    {
        if (target.H.Length != H.Length)
            throw new ArgumentException($"state has {target.H.Length} layers; expected {H.Length}", nameof(target));
        for (int k = 0; k < H.Length; k++)
        {
            if (target.H[k].Length != H[k].Length)
                throw new ArgumentException($"state layer {k} has hidden size {target.H[k].Length}; expected {H[k].Length}", nameof(target));
            H[k].CopyTo(target.H[k], 0);
            C[k].CopyTo(target.C[k], 0);
        }
    }

    /// <summary>Floats in the state: h and c of every layer.</summary>
    public int Length
    {
        get
        {
            int n = 0;
            foreach (float[] h in H) n += 2 * h.Length;
            return n;
        }
    }

    /// <summary>Copies the state out, layer by layer: h, then c.</summary>
    public void Save(Span<float> state)
    {
        if (state.Length != Length) throw new ArgumentException($"state buffer must hold {Length} floats", nameof(state));
        for (int k = 0; k < H.Length; k++)
        {
            H[k].CopyTo(state);
            C[k].CopyTo(state[H[k].Length..]);
            state = state[(2 * H[k].Length)..];
        }
    }

    /// <summary>Replaces the state with one written by <see cref="Save"/>.</summary>
    public void Load(ReadOnlySpan<float> state)
    {
        if (state.Length != Length) throw new ArgumentException($"state buffer must hold {Length} floats", nameof(state));
        for (int k = 0; k < H.Length; k++)
        {
            state[..H[k].Length].CopyTo(H[k]);
            state.Slice(H[k].Length, C[k].Length).CopyTo(C[k]);
            state = state[(2 * H[k].Length)..];
        }
    }
}
