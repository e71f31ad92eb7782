namespace EdgeLstm.Bench;

/// <summary>libtorch: the trainer's network, encoded once per word, decoded a step at a time for all live hypotheses.</summary>
internal sealed class TorchAttentionDecoder(Seq2SeqNetwork network, ModelDescription description) : IAttentionDecoder
{
    private Tensor? _outputs, _keys, _mask, _h, _c;

    public int MaxStreams => BeamSearchTransducer.DefaultMaxBeam;
    public int Vocabulary { get; } = description.Head.Size;

    public void Begin(ReadOnlySpan<int> tokens)
    {
        Release();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        long[] ids = new long[tokens.Length];
        for (int t = 0; t < ids.Length; t++) ids[t] = tokens[t];
        var (outputs, keys, mask, (h, c)) = network.Encode(tensor(ids, [1, ids.Length]), tensor(new long[] { ids.Length }));
        (_outputs, _keys, _mask, _h, _c) = (outputs.MoveToOuterDisposeScope(), keys.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope(),
            h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
    }

    public void Step(ReadOnlySpan<int> previous, Span<float> logits)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        int n = previous.Length;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) ids[i] = previous[i];
        var (l, (h, c)) = network.Decode(tensor(ids, [n, 1]), (_h!, _c!), _outputs!.expand(n, -1, -1), _keys!.expand(n, -1, -1), _mask!.expand(n, -1));
        l.data<float>().CopyTo(logits);
        _h!.Dispose();
        _c!.Dispose();
        (_h, _c) = (h.MoveToOuterDisposeScope(), c.MoveToOuterDisposeScope());
    }

    public void Reorder(ReadOnlySpan<int> parents)
    {
        using var index = tensor(parents.ToArray().Select(p => (long)p).ToArray());
        var (h, c) = (_h!.index_select(1, index), _c!.index_select(1, index));
        _h.Dispose();
        _c!.Dispose();
        (_h, _c) = (h, c);
    }

    private void Release()
    {
        foreach (var t in new[] { _outputs, _keys, _mask, _h, _c }) t?.Dispose();
    }

    public void Dispose() => Release();
}
