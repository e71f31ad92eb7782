namespace EdgeLstm.Trainer;

/// <summary>
/// An epoch's minibatches from one seeded generator. Without lengths: the training rows shuffled anew each epoch,
/// then cut in order (the last batch may be short). With lengths (length bucketing): the shuffled rows are taken
/// in pools of <see cref="PoolBatches"/> batches, each pool sorted by length and cut into batches, and the batches'
/// order shuffled — so a batch holds rows of similar length (less padding) while which rows meet still changes
/// every epoch.
/// </summary>
public sealed class Minibatches(int rows, int batchSize, int seed, int[]? lengths = null)
{
    /// <summary>Batches per sorted pool: large enough that batches are nearly uniform in length, small enough to stay random.</summary>
    public const int PoolBatches = 50;

    private readonly Random _random = new(seed);
    private readonly int[] _order = Enumerable.Range(0, rows).ToArray();

    public int Rows => _order.Length;

    /// <summary>Draws <paramref name="epochs"/> epochs' orders and drops them, so a resumed run takes the batches an unbroken run would.</summary>
    public void SkipEpochs(int epochs)
    {
        for (int e = 0; e < epochs; e++)
            foreach (int[] _ in NextEpoch()) { }
    }

    public IEnumerable<int[]> NextEpoch()
    {
        _random.Shuffle(_order);
        if (lengths is null)
        {
            for (int start = 0; start < _order.Length; start += batchSize)
                yield return _order.AsSpan(start, Math.Min(batchSize, _order.Length - start)).ToArray();
            yield break;
        }
        var batches = new List<int[]>();
        int pool = batchSize * PoolBatches;
        for (int from = 0; from < _order.Length; from += pool)
        {
            int[] sorted = _order.AsSpan(from, Math.Min(pool, _order.Length - from)).ToArray();
            Array.Sort(Array.ConvertAll(sorted, r => lengths[r]), sorted); // unstable among equal lengths, but deterministic, and the pool is already in random order
            for (int start = 0; start < sorted.Length; start += batchSize)
                batches.Add(sorted.AsSpan(start, Math.Min(batchSize, sorted.Length - start)).ToArray());
        }
        _random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batches));
        foreach (int[] batch in batches) yield return batch;
    }
}
