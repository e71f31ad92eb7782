namespace EdgeLstm.Trainer;

/// <summary>An epoch's minibatches: the training rows shuffled anew each epoch by one seeded generator, then cut in order (the last batch may be short).</summary>
public sealed class Minibatches(int rows, int batchSize, int seed)
{
    private readonly Random _random = new(seed);
    private readonly int[] _order = Enumerable.Range(0, rows).ToArray();

    public int Rows => _order.Length;

    public IEnumerable<int[]> NextEpoch()
    {
        _random.Shuffle(_order);
        for (int start = 0; start < _order.Length; start += batchSize)
            yield return _order.AsSpan(start, Math.Min(batchSize, _order.Length - start)).ToArray();
    }
}
