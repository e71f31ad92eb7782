namespace EdgeLstm.Tests;

/// <summary>
/// The float batch (N streams stepped together) against N separate vectorized float sessions, and its product
/// kernel against double-precision dot products.
/// </summary>
public sealed class FloatBatchTests
{
    [Theory]
    [InlineData(2, 48, 32, 8)]
    [InlineData(1, 37, 13, 3)]   // lengths that are no multiple of any vector width
    [InlineData(3, 64, 16, 1)]
    public void BatchedStepsEqualSeparateSessions(int layers, int hidden, int embedding, int streams)
    {
        var model = TinyModels.Create(layers, hidden, embedding, seed: 31 + hidden);
        var batch = new FloatLstmBatch(model, streams);
        var sessions = Enumerable.Range(0, streams).Select(_ => model.CreateSession()).ToArray();
        var tokens = new int[streams];
        for (int t = 0; t < 60; t++)
        {
            for (int b = 0; b < streams; b++) tokens[b] = (t * 7 + b * 13) % model.OutputSize;
            batch.Step(tokens);
            for (int b = 0; b < streams; b++)
                Assert.True(sessions[b].Step(tokens[b]).SequenceEqual(batch.Logits(b)), $"stream {b} differs at step {t}");
        }

        // Reset starts every stream over, as fresh sessions.
        batch.Reset();
        var fresh = Enumerable.Range(0, streams).Select(_ => model.CreateSession()).ToArray();
        for (int b = 0; b < streams; b++) tokens[b] = b % model.OutputSize;
        batch.Step(tokens);
        for (int b = 0; b < streams; b++)
            Assert.True(fresh[b].Step(tokens[b]).SequenceEqual(batch.Logits(b)), $"stream {b} differs after Reset");
    }

    [Theory]
    [InlineData(5, 1)]
    [InlineData(5, 7)]
    [InlineData(16, 8)]
    [InlineData(37, 33)]   // a partial group only
    [InlineData(200, 100)] // a whole group of 128 rows and a partial one
    [InlineData(256, 9)]   // whole groups only
    [InlineData(300, 20)]  // two whole groups and a partial one
    public void ProductsAreOneFusedChainPerOutputAloneBatchedAndAtEveryWidth(int rows, int cols)
    {
        const int count = 5;
        var random = new Random(cols);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] w = Random(rows * cols), inputs = Random(count * cols), start = Random(count * rows);
        var packed = new PackedFloatMatrix(w, rows, cols);
        // The documented order, written out: start, then w[r, j]·x[j] added for j = 0, 1, … by fused multiply-adds.
        float[] chain = (float[])start.Clone();
        for (int b = 0; b < count; b++)
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++)
                    chain[b * rows + r] = MathF.FusedMultiplyAdd(w[r * cols + j], inputs[b * cols + j], chain[b * rows + r]);
        foreach (int width in FloatMatVec.SupportedWidths)
        {
            float[] batched = (float[])start.Clone();
            FloatMatVec.MultiplyAdd(packed, inputs, count, batched, width);
            Assert.True(chain.AsSpan().SequenceEqual(batched), $"width {width}: {count} vectors at once differ from the fused chain");
            for (int b = 0; b < count; b++)
            {
                float[] alone = start.AsSpan(b * rows, rows).ToArray();
                FloatMatVec.MultiplyAdd(packed, inputs.AsSpan(b * cols, cols), 1, alone, width);
                Assert.True(alone.AsSpan().SequenceEqual(batched.AsSpan(b * rows, rows)), $"width {width}: stream {b} of {count} differs from the same vector alone");
            }
        }
        for (int r = 0; r < rows; r++)
        {
            double exact = start[r], magnitude = 0;
            for (int j = 0; j < cols; j++)
            {
                exact += (double)w[r * cols + j] * inputs[j];
                magnitude += Math.Abs((double)w[r * cols + j] * inputs[j]);
            }
            Assert.True(Math.Abs(chain[r] - exact) <= 1e-6 * (magnitude + 1), $"row {r}: {chain[r]} against {exact}");
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => FloatMatVec.MultiplyAdd(packed, inputs, count, new float[count * rows], width: 3));
    }

    [Fact]
    public void StepAllocatesNothing()
    {
        var model = TinyModels.Create(layers: 2, hidden: 48, embedding: 16);
        var batch = new FloatLstmBatch(model, 8);
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 8];
        batch.Step(tokens);
        Assert.Equal(0, SteadyStateAllocation.Bytes(() => { for (int t = 0; t < 100; t++) batch.Step(tokens); }));
    }

    [Fact]
    public void BadTokensAreRejectedByName()
    {
        var model = TinyModels.Create();
        var batch = new FloatLstmBatch(model, 2);
        var count = Assert.Throws<ArgumentException>(() => batch.Step([1]));
        Assert.Contains("expected 2 tokens", count.Message);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => batch.Step([1, model.OutputSize]));
        Assert.Contains($"below {model.OutputSize}", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloatLstmBatch(model, 0));
    }
}
