namespace EdgeLstm.Tests;

/// <summary>Length bucketing (`--length-buckets`): every row once an epoch, batches of similar length, a fresh order each epoch.</summary>
public sealed class MinibatchesTests
{
    [Fact]
    public void BucketedBatchesCoverEveryRowOnceWithLittlePadding()
    {
        var random = new Random(1);
        int rows = 5000, batchSize = 16;
        int[] lengths = Enumerable.Range(0, rows).Select(_ => random.Next(1, 200)).ToArray();
        var plain = new Minibatches(rows, batchSize, seed: 3);
        var bucketed = new Minibatches(rows, batchSize, seed: 3, lengths);

        int[][] first = bucketed.NextEpoch().ToArray(), second = bucketed.NextEpoch().ToArray();
        foreach (int[][] epoch in new[] { first, second })
        {
            Assert.Equal(Enumerable.Range(0, rows), epoch.SelectMany(b => b).Order());
            Assert.All(epoch, b => Assert.InRange(b.Length, 1, batchSize));
        }
        Assert.NotEqual(first.Select(b => b[0]), second.Select(b => b[0])); // batches and their order change between epochs

        // Padding = Σ over batches of (longest − each); pools of 50 sorted batches leave a few percent of the unsorted amount.
        static long Padding(IEnumerable<int[]> batches, int[] lengths) => batches.Sum(b => (long)b.Max(r => lengths[r]) * b.Length - b.Sum(r => (long)lengths[r]));
        long sortedPadding = Padding(first, lengths), plainPadding = Padding(plain.NextEpoch(), lengths);
        Assert.True(sortedPadding * 10 < plainPadding, $"padding {sortedPadding} bucketed vs {plainPadding} shuffled");
        // Not one global sort: a batch's first row is not longer than its last, but consecutive batches are in random length order.
        Assert.All(first, b => Assert.True(lengths[b[0]] <= lengths[b[^1]]));
        Assert.Contains(first.Zip(first.Skip(1)), p => lengths[p.First[0]] > lengths[p.Second[0]]);
    }
}
