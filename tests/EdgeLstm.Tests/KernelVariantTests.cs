namespace EdgeLstm.Tests;

/// <summary>Every kernel variant this CPU supports against the scalar reference: integer results exact, float results bit-identical.</summary>
public sealed class KernelVariantTests
{
    /// <summary>Every variant this CPU runs, scalar included: for checks against independent integer arithmetic.</summary>
    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (var k in LstmKernels.AllSupported()) data.Add(k.Name);
        return data;
    }

    /// <summary>The variants other than scalar, for checks against the scalar kernels (scalar against itself proves nothing).</summary>
    public static TheoryData<string> VectorVariants()
    {
        var data = new TheoryData<string>();
        foreach (var k in VectorKernels()) data.Add(k.Name);
        return data;
    }

    private static IEnumerable<ILstmKernels> VectorKernels() => LstmKernels.AllSupported().Where(k => k.Name != "scalar");

    private static readonly ILstmKernels Scalar = LstmKernels.Create("scalar");

    private static sbyte[] RandomInt8(Random random, int n)
    {
        var v = new sbyte[n];
        for (int i = 0; i < n; i++) v[i] = (sbyte)random.Next(-127, 128);
        return v;
    }

    [Fact]
    public void ThisMachineRunsTheVectorVariants()
    {
        var names = LstmKernels.AllSupported().Select(k => k.Name).ToList();
        Assert.Contains("scalar", names);
        if (System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.Contains("avx2-maddubs", names);
        if (System.Runtime.Intrinsics.X86.Avx512BW.IsSupported) Assert.Contains("avx512bw-maddubs", names);
        if (System.Runtime.Intrinsics.X86.AvxVnni.IsSupported) Assert.Contains("avxvnni-dpbusd", names);
        Assert.Equal(names[0], LstmKernels.CreateBest().Name);
    }

    /// <summary>
    /// The theories here run the variants this CPU supports; the others are not run, and say why (`edgelstm info`
    /// and `./build.sh test` print it): on x64 the ARM64 variants, which tests/EdgeLstm.Arm64Check runs under qemu.
    /// </summary>
    [Fact]
    public void EveryVariantRunsHereOrSaysWhyNot()
    {
        var notHere = LstmKernels.NotRunHere().ToList();
        Assert.Equal(LstmKernels.All.Count, LstmKernels.AllSupported(weightBits: 7).Count() + notHere.Count);
        foreach (var (name, requires) in notHere)
        {
            Assert.False(string.IsNullOrWhiteSpace(requires), $"{name} does not say what it needs");
            Assert.DoesNotContain(name, LstmKernels.AllSupported(weightBits: 7).Select(k => k.Name));
        }
        if (System.Runtime.Intrinsics.X86.X86Base.IsSupported)
            Assert.Contains(notHere, k => k.Name == "neon-sdot" && k.Requires.Contains("ARM64"));
    }

    /// <summary>The variants exact only for 7-bit weights that this CPU runs (none on ARM64).</summary>
    public static TheoryData<string> SevenBitVariants()
    {
        var data = new TheoryData<string>();
        foreach (var k in LstmKernels.AllSupported(weightBits: 7).Where(k => k.NeedsSevenBitWeights)) data.Add(k.Name);
        if (data.Count == 0) data.Add(Int8DotScalar.Name); // keeps the theory non-empty where none runs
        return data;
    }

    [Theory]
    [MemberData(nameof(SevenBitVariants))]
    public void SevenBitVariantsAreExactOnSevenBitWeights(string variant)
    {
        var kernels = LstmKernels.Create(variant);
        var random = new Random(7);
        sbyte[] Weights(int n) => Array.ConvertAll(RandomInt8(random, n), v => (sbyte)(v / 2)); // |w| ≤ 63
        foreach (int cols in new[] { 16, 31, 32, 64, 65, 100, 256 })
            foreach (int rows in new[] { 3, 4, 37 })
            {
                sbyte[] w = Weights(rows * cols);
                int[] sums = Int8Reference.RowSums(w, rows, cols);
                for (int count = 1; count <= 4; count++)
                {
                    sbyte[] x = RandomInt8(random, count * cols);
                    int[] expected = new int[count * rows], actual = new int[count * rows];
                    for (int b = 0; b < count; b++) Int8Reference.DenseMatVec(w, x.AsSpan(b * cols, cols), expected.AsSpan(b * rows, rows));
                    kernels.MatMul(w, sums, cols, x, count, actual);
                    Assert.Equal(expected, actual);
                    if (count == 1)
                    {
                        Array.Clear(actual);
                        kernels.MatVec(w, sums, x, actual);
                        Assert.Equal(expected, actual);
                    }
                }
            }
        // Block-sparse, with and without the pair index: 96 and 400 columns, rows keeping every share of their blocks.
        const int sparseRows = 32;
        foreach (int width in new[] { 96, 400 })
        {
            sbyte[] sparse = Weights(sparseRows * width);
            for (int r = 0; r < sparseRows; r++)
                for (int b = 0; b < width / 16; b++)
                    if (random.NextDouble() >= r / (sparseRows - 1.0)) Array.Clear(sparse, r * width + b * 16, 16);
            sbyte[] xw = RandomInt8(random, width);
            int[] expected = new int[sparseRows], actual = new int[sparseRows];
            Int8Reference.DenseMatVec(sparse, xw, expected);
            var (data, blocks) = BlockSparseLayout.Encode(sparse, sparseRows, width);
            var layout = new BlockSparseLayout(data, sparseRows, blocks, TensorLayout.BlockSparse16Aligned);
            int[] sums = Int8Reference.RowSums(layout);
            kernels.BlockSparseMatVec(layout, sums, xw, actual);
            Assert.Equal(expected, actual);
            Array.Clear(actual);
            kernels.BlockSparseMatVec(layout.WithPairs(BlockPairIndex.Build(layout, width)), sums, xw, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void DenseProductsAreExact(string variant)
    {
        var kernels = LstmKernels.Create(variant);
        var random = new Random(1);
        // Lengths off the vector width run zero-padded, reading into the next rows; the last rows (whose padded
        // read would pass the matrix's end) run as they are: both must be exact, for 3, 4 and 37 rows.
        foreach (int cols in new[] { 1, 15, 16, 17, 26, 31, 32, 48, 64, 65, 90, 100, 256, 1000 })
            foreach (int rows in new[] { 3, 4, 37 })
            {
                sbyte[] w = RandomInt8(random, rows * cols), x = RandomInt8(random, cols);
                int[] expected = new int[rows], actual = new int[rows];
                Int8Reference.DenseMatVec(w, x, expected);
                kernels.MatVec(w, Int8Reference.RowSums(w, rows, cols), x, actual);
                Assert.Equal(expected, actual);
            }
        // Extremes: 4096 columns of ±127 · 127 must not saturate anywhere.
        var big = Enumerable.Repeat((sbyte)-127, 4096).ToArray();
        var ones = Enumerable.Repeat((sbyte)127, 4096).ToArray();
        var y = new int[1];
        kernels.MatVec(big, Int8Reference.RowSums(big, 1, 4096), ones, y);
        Assert.Equal(-127 * 127 * 4096, y[0]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void BlockSparseAndBatchedProductsAreExact(string variant)
    {
        var kernels = LstmKernels.Create(variant);
        var random = new Random(2);
        const int rows = 64;
        int[] expected = new int[rows], actual = new int[rows];
        // 400 columns = 25 blocks a row; each row keeps a different share of them (0 to all), so rows end in
        // every remainder of the kernels' 8-, 4-, 2- and 1-block loops and groups of four rows have different
        // pair counts. 512 columns is the widest with a pair table, 528 the first without.
        foreach (int width in new[] { 96, 400, 512, 528 })
        {
            sbyte[] sparse = RandomInt8(random, rows * width);
            for (int r = 0; r < rows; r++)
            {
                double keep = r / (rows - 1.0);
                for (int b = 0; b < width / 16; b++)
                    if (random.NextDouble() >= keep) Array.Clear(sparse, r * width + b * 16, 16);
            }
            sbyte[] xw = RandomInt8(random, width);
            var (data, blocks) = BlockSparseLayout.Encode(sparse, rows, width);
            Int8Reference.DenseMatVec(sparse, xw, expected);
            var layout = new BlockSparseLayout(data, rows, blocks, TensorLayout.BlockSparse16Aligned);
            int[] sums = Int8Reference.RowSums(layout);
            kernels.BlockSparseMatVec(layout, sums, xw, actual);
            Assert.Equal(expected, actual);
            // With the pair index (what models get at load), whole and as a slice of rows (two-thread steps).
            BlockPairIndex? pairs = BlockPairIndex.Build(layout, width);
            Assert.Equal(width <= 512, pairs is not null);
            Array.Clear(actual);
            kernels.BlockSparseMatVec(layout.WithPairs(pairs), sums, xw, actual);
            Assert.Equal(expected, actual);
            var part = new int[27];
            kernels.BlockSparseMatVec(layout.WithPairs(pairs).Rows(21, part.Length), sums.AsSpan(21), xw, part);
            Assert.Equal(expected.AsSpan(21, part.Length).ToArray(), part);
        }

        // Every row keeping the same number of blocks (block:F:row pruning): 1 to 8 pairs a row, so the uniform
        // path's four-, two- and one-pair steps all run; a slice of rows starts mid-group and ends in a remainder.
        foreach (var (width, kept) in new[] { (96, 2), (224, 14), (256, 8), (400, 10), (512, 16) })
        {
            sbyte[] sparse = RandomInt8(random, rows * width);
            int blocksPerRow = width / 16;
            for (int r = 0; r < rows; r++)
                foreach (int b in Enumerable.Range(0, blocksPerRow).OrderBy(_ => random.Next()).Take(blocksPerRow - kept))
                    Array.Clear(sparse, r * width + b * 16, 16);
            sbyte[] xw = RandomInt8(random, width);
            var (data, blocks) = BlockSparseLayout.Encode(sparse, rows, width);
            Int8Reference.DenseMatVec(sparse, xw, expected);
            var layout = new BlockSparseLayout(data, rows, blocks, TensorLayout.BlockSparse16Aligned);
            BlockPairIndex pairs = BlockPairIndex.Build(layout, width)!;
            Assert.Equal(kept / 2, pairs.UniformPairs);
            int[] sums = Int8Reference.RowSums(layout);
            kernels.BlockSparseMatVec(layout.WithPairs(pairs), sums, xw, actual);
            Assert.Equal(expected, actual);
            var part = new int[27];
            kernels.BlockSparseMatVec(layout.WithPairs(pairs).Rows(21, part.Length), sums.AsSpan(21), xw, part);
            Assert.Equal(expected.AsSpan(21, part.Length).ToArray(), part);
        }

        // Batched: 39 rows (groups of four and a remainder), columns on and off the kernels' 64-byte fast path.
        const int count = 5, batchRows = 39;
        foreach (int cols in new[] { 96, 128, 320 })
        {
            sbyte[] dense = RandomInt8(random, batchRows * cols);
            sbyte[] xs = RandomInt8(random, count * cols);
            var batched = new int[count * batchRows];
            var one = new int[batchRows];
            kernels.MatMul(dense, Int8Reference.RowSums(dense, batchRows, cols), cols, xs, count, batched);
            for (int b = 0; b < count; b++)
            {
                Int8Reference.DenseMatVec(dense, xs.AsSpan(b * cols, cols), one);
                Assert.Equal(one, batched.AsSpan(b * batchRows, batchRows).ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(VectorVariants))]
    public void FloatPartsAreBitIdenticalToScalar(string variant)
    {
        var kernels = LstmKernels.Create(variant);
        var random = new Random(3);
        foreach (int hidden in new[] { 1, 3, 4, 8, 13, 16, 26, 33, 41, 64, 256 })
        {
            float[] x = Enumerable.Range(0, hidden).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            sbyte[] q1 = new sbyte[hidden], q2 = new sbyte[hidden];
            Assert.Equal(Scalar.Quantize(x, q1), kernels.Quantize(x, q2));
            Assert.Equal(q1, q2);

            int[] accIh = Enumerable.Range(0, 4 * hidden).Select(_ => random.Next(-2_000_000, 2_000_000)).ToArray();
            int[] accHh = Enumerable.Range(0, 4 * hidden).Select(_ => random.Next(-2_000_000, 2_000_000)).ToArray();
            float[] sIh = Enumerable.Range(0, 4 * hidden).Select(_ => (float)random.NextDouble() * 1e-4f).ToArray();
            float[] sHh = Enumerable.Range(0, 4 * hidden).Select(_ => (float)random.NextDouble() * 1e-4f).ToArray();
            float[] bias = Enumerable.Range(0, 4 * hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            float[] c1 = x.ToArray(), c2 = x.ToArray(), h1 = new float[hidden], h2 = new float[hidden];
            Scalar.GateUpdate(accIh, accHh, sIh, sHh, bias, 0.01f, 0.008f, c1, h1);
            kernels.GateUpdate(accIh, accHh, sIh, sHh, bias, 0.01f, 0.008f, c2, h2);
            Assert.Equal(c1, c2);
            Assert.Equal(h1, h2);

            float[] l1 = new float[hidden], l2 = new float[hidden];
            Scalar.Dequantize(accIh.AsSpan(0, hidden), sIh, 0.01f, bias, l1);
            kernels.Dequantize(accIh.AsSpan(0, hidden), sIh, 0.01f, bias, l2);
            Assert.Equal(l1, l2);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WholeModelLogitsAreBitIdenticalOnEveryVariant(bool blockSparse)
    {
        var model = TinyModels.Create(layers: 2, hidden: 48, embedding: 32, seed: 17);
        if (blockSparse) model = PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.5")));
        var compact = (QuantizedLstmModel)CompactModelLoader.Load(
            ModelFileReader.Parse(CompactModelBuilder.Build(model, WeightType.Int8, blockSparse, "t", "t"), "t.elstm"));
        int[] tokens = TinyModels.Tokens(300, model.OutputSize, seed: 6);
        float[] Run(ILstmKernels k)
        {
            var session = compact.CreateSession(k);
            return tokens.SelectMany(t => session.Step(t).ToArray()).ToArray();
        }
        float[] reference = Run(Scalar);
        foreach (var kernels in VectorKernels())
            Assert.True(reference.AsSpan().SequenceEqual(Run(kernels)), $"{kernels.Name} logits differ from scalar");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PrefillIsBitIdenticalToSteppingOnEveryVariant(bool blockSparse)
    {
        var model = TinyModels.Create(layers: 2, hidden: 48, embedding: 32, seed: 19);
        if (blockSparse) model = PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.5")));
        var compact = (QuantizedLstmModel)CompactModelLoader.Load(
            ModelFileReader.Parse(CompactModelBuilder.Build(model, WeightType.Int8, blockSparse, "t", "t"), "t.elstm"));
        foreach (var kernels in LstmKernels.AllSupported())
            foreach (int length in new[] { 1, 5, 64, 65, 200 })
            {
                int[] tokens = TinyModels.Tokens(length, model.OutputSize, seed: length);
                var stepped = compact.CreateSession(kernels);
                foreach (int t in tokens) stepped.Step(t);
                var prefilled = compact.CreateSession(kernels);
                Assert.True(stepped.Logits.SequenceEqual(prefilled.Prefill(tokens)), $"{kernels.Name}, {length} tokens: prefill logits differ");
                // Two threads split the chunk's tokens and each recurrent step's units; the result must not change.
                using var twoThreads = compact.CreateSession(kernels, threads: 2);
                Assert.True(stepped.Logits.SequenceEqual(twoThreads.Prefill(tokens)), $"{kernels.Name}, {length} tokens: two-thread prefill logits differ");
                // The state after prefill is the same too: the next step agrees.
                var next = stepped.Step(3).ToArray();
                Assert.True(next.AsSpan().SequenceEqual(prefilled.Step(3)), $"{kernels.Name}, {length} tokens: state after prefill differs");
                Assert.True(next.AsSpan().SequenceEqual(twoThreads.Step(3)), $"{kernels.Name}, {length} tokens: state after two-thread prefill differs");
            }
    }

    [Theory]
    [InlineData(false, 48, 0)]
    [InlineData(true, 48, 0)]
    [InlineData(false, 40, 0)]    // halves not on a 16-unit boundary
    [InlineData(false, 48, 1400)] // an output layer big enough to split between the threads (Int8Recurrence.SplitMatVecMultiplyAdds)
    [InlineData(false, 96, 1400, true)] // int4: halves inside 64-row blocks, the output layer split on a block boundary
    public void TwoThreadStepsAreBitIdenticalToOneThread(bool blockSparse, int hidden, int vocabulary, bool int4 = false)
    {
        string text = vocabulary == 0 ? TinyModels.Text : new string(Enumerable.Range(0x4E00, vocabulary - 1).Select(c => (char)c).ToArray());
        var model = TinyModels.Create(layers: 2, hidden: hidden, embedding: 32, seed: 23, text: text);
        Assert.True(vocabulary == 0 || model.OutputSize * hidden >= Int8Recurrence.SplitMatVecMultiplyAdds);
        if (blockSparse) model = PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.5")));
        var compact = (QuantizedLstmModel)CompactModelLoader.Load(
            ModelFileReader.Parse(CompactModelBuilder.Build(model, int4 ? WeightType.Int4 : WeightType.Int8, blockSparse, "t", "t"), "t.elstm"));
        Assert.Equal(int4, compact.Head.IsInt4);
        int[] tokens = TinyModels.Tokens(300, model.OutputSize, seed: 8);
        foreach (var kernels in LstmKernels.AllSupported())
        {
            var one = compact.CreateSession(kernels, threads: 1);
            using var two = compact.CreateSession(kernels, threads: 2);
            foreach (int t in tokens)
                Assert.True(one.Step(t).SequenceEqual(two.Step(t)), $"{kernels.Name}: two-thread logits differ");
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++) two.Step(i % model.OutputSize);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            // Pauses longer than the helper's spin make it sleep; each next step has to wake it (a lost wake-up hangs here).
            one.Reset();
            two.Reset();
            for (int i = 0; i < 5; i++)
            {
                Thread.Sleep(5);
                Assert.True(one.Step(tokens[i]).SequenceEqual(two.Step(tokens[i])), $"{kernels.Name}: two-thread logits differ after a pause");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BatchedStepsEqualSeparateSessions(bool blockSparse)
    {
        var model = TinyModels.Create(layers: 2, hidden: 48, embedding: 32, seed: 29);
        if (blockSparse) model = PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.5")));
        var compact = (QuantizedLstmModel)CompactModelLoader.Load(
            ModelFileReader.Parse(CompactModelBuilder.Build(model, WeightType.Int8, blockSparse, "t", "t"), "t.elstm"));
        const int streams = 8, steps = 60;
        foreach (var kernels in LstmKernels.AllSupported())
        {
            var batch = new QuantizedLstmBatch(compact, kernels, streams);
            var sessions = Enumerable.Range(0, streams).Select(_ => compact.CreateSession(kernels)).ToArray();
            var tokens = new int[streams];
            for (int t = 0; t < steps; t++)
            {
                for (int b = 0; b < streams; b++) tokens[b] = (t * 7 + b * 13) % model.OutputSize;
                batch.Step(tokens);
                for (int b = 0; b < streams; b++)
                    Assert.True(sessions[b].Step(tokens[b]).SequenceEqual(batch.Logits(b)), $"{kernels.Name}: stream {b} differs at step {t}");
            }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int t = 0; t < 100; t++) batch.Step(tokens);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void InstructionSetCheckNamesTheRebuildOnlyWhenTheBuildCannotUseAvx2()
    {
        Assert.Null(InstructionSetCheck.Describe(buildHasAvx2: true, cpuHasAvx2: true));
        Assert.Null(InstructionSetCheck.Describe(buildHasAvx2: false, cpuHasAvx2: false));
        Assert.Contains("-p:IlcInstructionSet=x86-64-v3", InstructionSetCheck.Describe(buildHasAvx2: false, cpuHasAvx2: true));
        // Limitation() itself is always null under the JIT (every instruction set the CPU has is usable); the warning
        // was checked with a NativeAOT build for baseline x86-64 (docs/benchmarks.md).
    }

    [Fact]
    public void GateUpdateMatchesTheLstmCellInDoublePrecision()
    {
        // Zero accumulators, so the bias rows are the pre-activations i, f, g, o themselves; wide ranges reach the
        // clamps (±20 for the sigmoids, ±10 for tanh) and large cells.
        const int hidden = 4096;
        var random = new Random(11);
        float[] bias = Enumerable.Range(0, 4 * hidden).Select(_ => (float)(random.NextDouble() * 60 - 30)).ToArray();
        float[] c = Enumerable.Range(0, hidden).Select(_ => (float)(random.NextDouble() * 40 - 20)).ToArray();
        float[] c0 = (float[])c.Clone();
        var h = new float[hidden];
        var zeros = new int[4 * hidden];
        var ones = Enumerable.Repeat(1f, 4 * hidden).ToArray();
        FloatParts.GateUpdate(1, zeros, zeros, ones, ones, bias, 1f, 1f, c, h);
        static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        for (int j = 0; j < hidden; j++)
        {
            double expectedC = Sigmoid(bias[hidden + j]) * c0[j] + Sigmoid(bias[j]) * Math.Tanh(bias[2 * hidden + j]);
            double expectedH = Sigmoid(bias[3 * hidden + j]) * Math.Tanh(expectedC);
            Assert.InRange(c[j] - expectedC, -1e-6 * Math.Max(1, Math.Abs(expectedC)), 1e-6 * Math.Max(1, Math.Abs(expectedC)));
            Assert.InRange(h[j] - expectedH, -1e-6, 1e-6);
        }
    }

    [Fact]
    public void DeterministicExpMatchesLibmClosely()
    {
        var random = new Random(4);
        for (int i = 0; i < 100_000; i++)
        {
            float x = (float)(random.NextDouble() * 40 - 20);
            Assert.InRange(DeterministicMath.Exp(x) / MathF.Exp(x), 1 - 3e-7, 1 + 3e-7);
        }
    }

    [Fact]
    public void StepAllocatesNothing()
    {
        var model = TinyModels.Create(layers: 2, hidden: 64, embedding: 32, seed: 2);
        foreach (WeightType weights in (WeightType[])[WeightType.Int8, WeightType.Int4])
        {
            var compact = (QuantizedLstmModel)CompactModelLoader.Load(
                ModelFileReader.Parse(CompactModelBuilder.Build(model, weights, false, "t", "t"), "t.elstm"));
            foreach (var kernels in LstmKernels.AllSupported())
            {
                var session = compact.CreateSession(kernels);
                for (int i = 0; i < 50; i++) session.Step(i % model.OutputSize); // warm up (tiering)
                Assert.True(0 == SteadyStateAllocation.Bytes(() => { for (int i = 0; i < 2000; i++) session.Step(i % model.OutputSize); }), $"{weights} on {kernels.Name} allocates per step");
            }
        }
        var floatSession = model.CreateSession();
        for (int i = 0; i < 50; i++) floatSession.Step(i % model.OutputSize);
        Assert.Equal(0, SteadyStateAllocation.Bytes(() => { for (int i = 0; i < 500; i++) floatSession.Step(i % model.OutputSize); }));
    }

    [Fact]
    public void VectorizedRowSumsEqualTheReference()
    {
        var random = new Random(9);
        foreach (int cols in new[] { 1, 15, 16, 17, 64, 100, 2047, 2048, 2049, 5000 })
        {
            sbyte[] w = RandomInt8(random, 3 * cols);
            Assert.Equal(Int8Reference.RowSums(w, 3, cols), Int8RowSums.Dense(w, 3, cols));
        }
        // Extremes: a long row of -127 must not overflow the int16 lanes.
        var low = Enumerable.Repeat((sbyte)-127, 10_000).ToArray();
        Assert.Equal(-127 * 10_000, Int8RowSums.Sum(low));
    }
}
