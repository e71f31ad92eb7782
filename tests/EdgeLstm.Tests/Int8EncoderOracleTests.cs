namespace EdgeLstm.Tests;

/// <summary>
/// Every int8 driver shape on every kernel variant against <see cref="Int8StepOracle"/>, which shares no code with
/// the encoder: sessions stepped and prefilled, batches, whole-sequence runners, one and two threads, forward,
/// reverse-only, bidirectional and stacked layers, dynamic and static activation scales, dense, block-sparse and int4 weights.
/// </summary>
public sealed class Int8EncoderOracleTests
{
    private static QuantizedLstmModel Compile(Runtime.Float.FloatLstmModel model, bool blockSparse, float[]? staticHScales, bool int4 = false)
    {
        var compiled = (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(
            CompactModelBuilder.Build(model, int4 ? WeightType.Int4 : WeightType.Int8, blockSparse, blockSparse ? "block:0.5" : "none", "t", staticHScales), "t.elstm"));
        if (int4) Assert.All(compiled.Layers, layer => Assert.True(layer.WeightIh.IsInt4 && layer.WeightHh.IsInt4));
        return compiled;
    }

    private static Runtime.Float.FloatLstmModel Forward(bool blockSparse, bool int4)
    {
        // Int4: widths divisible by 32; hidden 96 splits two threads' halves inside 64-row blocks.
        if (int4) return TinyModels.Create(layers: 2, hidden: 96, embedding: 64, seed: 41);
        // Dense hidden 40: two-thread halves off the 16-unit boundary, vector tails in every kernel. Block pruning
        // needs widths divisible by 16.
        if (!blockSparse) return TinyModels.Create(layers: 2, hidden: 40, embedding: 24, seed: 41);
        var model = TinyModels.Create(layers: 2, hidden: 48, embedding: 32, seed: 41);
        return PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.5")));
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void SessionsPrefillAndBatchesMatchTheOracle(bool blockSparse, bool staticScales, bool int4)
    {
        using var model = Compile(Forward(blockSparse, int4), blockSparse, staticScales ? [0.006f, 0.0075f] : null, int4);
        int vocabulary = model.Embedding.Rows, size = model.OutputSize;
        int[] tokens = TinyModels.Tokens(150, vocabulary, seed: 3);
        float[] expected = Int8StepOracle.PerStepHead(model, tokens);
        foreach (ILstmKernels kernels in LstmKernels.AllSupported())
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using var stepped = model.CreateSession(kernels, threads);
                for (int t = 0; t < tokens.Length; t++)
                    Assert.True(expected.AsSpan(t * size, size).SequenceEqual(stepped.Step(tokens[t])), $"{kernels.Name}, {threads} threads: step {t} differs from the oracle");
                foreach (int length in new[] { 1, 64, 65, 150 })
                {
                    using var prefilled = model.CreateSession(kernels, threads);
                    Assert.True(expected.AsSpan((length - 1) * size, size).SequenceEqual(prefilled.Prefill(tokens.AsSpan(0, length))),
                        $"{kernels.Name}, {threads} threads: prefill of {length} differs from the oracle");
                }
            }
            // Three streams, each its own sequence (a rotation of the tokens).
            const int streams = 3, steps = 40;
            int[][] sequences = Enumerable.Range(0, streams).Select(b => tokens.Skip(b * 17).Take(steps).ToArray()).ToArray();
            float[][] perStream = Array.ConvertAll(sequences, s => Int8StepOracle.PerStepHead(model, s));
            using var batch = new QuantizedLstmBatch(model, kernels, streams);
            var step = new int[streams];
            for (int t = 0; t < steps; t++)
            {
                for (int b = 0; b < streams; b++) step[b] = sequences[b][t];
                batch.Step(step);
                for (int b = 0; b < streams; b++)
                    Assert.True(perStream[b].AsSpan(t * size, size).SequenceEqual(batch.Logits(b)), $"{kernels.Name}: batch stream {b} differs from the oracle at step {t}");
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunnersOverBidirectionalAndMixedStacksMatchTheOracle(bool int4)
    {
        // A bidirectional layer under a forward one: reverse walks, a two-core direction split, then a plain layer.
        // (Static activation scales are for forward-only models: the session test covers them.)
        var description = new ModelDescription
        {
            Input = new InputDescription { Kind = InputKinds.Tokens, Size = int4 ? 32 : 12, Tokenizer = CharTokenizer.FromText(TinyModels.Text).ToDescription() },
            Encoder = [new EncoderLayerDescription { Hidden = int4 ? 32 : 20, Bidirectional = true }, new EncoderLayerDescription { Hidden = int4 ? 32 : 24 }],
            Head = new HeadDescription { Kind = HeadKinds.Tag, Pooling = Poolings.None, Size = 3, Labels = ["none", "comma", "stop"] },
        };
        using var model = Compile(TinyModels.FromDescription(description, seed: 43), blockSparse: false, staticHScales: null, int4);
        foreach (int length in new[] { 1, 7, 64, 65, 130 })
        {
            int[] tokens = TinyModels.Tokens(length, model.Embedding.Rows, seed: length);
            float[] expected = Int8StepOracle.PerStepHead(model, tokens);
            foreach (ILstmKernels kernels in LstmKernels.AllSupported())
                foreach (int threads in new[] { 1, 2 })
                {
                    using var runner = model.CreateRunner(kernels, threads);
                    Assert.Equal(threads, runner.Threads);
                    for (int round = 0; round < 2; round++) // a second run starts from zero state too
                        Assert.True(expected.AsSpan().SequenceEqual(runner.Run(tokens)), $"{kernels.Name}, {threads} threads, {length} tokens: runner differs from the oracle");
                }
        }
    }

    /// <summary>
    /// Reverse-only layers under and over forward ones, and beside a bidirectional one: a reverse layer runs on this
    /// thread (its units split when the recurrence has two threads; one thread when the helper takes the
    /// bidirectional layers' reverse directions), from zero state each run.
    /// </summary>
    [Theory]
    [InlineData("reverse, forward")]
    [InlineData("forward, reverse")]
    [InlineData("bidirectional, reverse")]
    public void RunnersOverReverseLayersMatchTheOracle(string stack)
    {
        var encoder = stack.Split(", ").Select((kind, k) => new EncoderLayerDescription
            { Hidden = k == 0 ? 20 : 24, Reverse = kind == "reverse", Bidirectional = kind == "bidirectional" }).ToArray();
        var description = new ModelDescription
        {
            Input = new InputDescription { Kind = InputKinds.Tokens, Size = 12, Tokenizer = CharTokenizer.FromText(TinyModels.Text).ToDescription() },
            Encoder = encoder,
            Head = new HeadDescription { Kind = HeadKinds.Tag, Pooling = Poolings.None, Size = 3, Labels = ["none", "comma", "stop"] },
        };
        using var model = Compile(TinyModels.FromDescription(description, seed: 44), blockSparse: false, staticHScales: null);
        foreach (int length in new[] { 1, 7, 64, 65, 130 })
        {
            int[] tokens = TinyModels.Tokens(length, model.Embedding.Rows, seed: length);
            float[] expected = Int8StepOracle.PerStepHead(model, tokens);
            foreach (ILstmKernels kernels in LstmKernels.AllSupported())
                foreach (int threads in new[] { 1, 2 })
                {
                    using var runner = model.CreateRunner(kernels, threads);
                    Assert.Equal(threads, runner.Threads);
                    for (int round = 0; round < 2; round++) // a second run starts from zero state too
                        Assert.True(expected.AsSpan().SequenceEqual(runner.Run(tokens)), $"{kernels.Name}, {threads} threads, {length} tokens: runner differs from the oracle");
                }
        }
    }
}
