namespace EdgeLstm.Runtime.Float;

/// <summary>The recurrent state of a session: h and c for every layer. A snapshot is an independent copy.</summary>
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
}
