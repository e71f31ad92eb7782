namespace EdgeLstm.Tests;

/// <summary>
/// Sequence-to-sequence (grapheme-to-phoneme): the runtime's encoder, attention and decoder against libtorch on the
/// trainer's network, beam width 1 against libtorch's greedy decoding, wider beams, the error rates, and the CLI.
/// </summary>
public sealed class Seq2SeqTests
{
    private static readonly LexiconWord[] Words =
    [
        new("CAT", [["K", "AE1", "T"]], "train"),
        new("DOG", [["D", "AO1", "G"]], "train"),
        new("THROUGH", [["TH", "R", "UW1"]], "train"),
        new("READ", [["R", "IY1", "D"], ["R", "EH1", "D"]], "train"),
        new("QUEUE'S", [["K", "Y", "UW1", "Z"]], "train"),
    ];

    /// <param name="sharpness">Scales W_a: large values make attention scores whose exp overflows float, as a trained model's do.</param>
    private static (Seq2SeqNetwork Network, FloatLstmModel Model, ModelDescription Description) Random(int seed, int layers = 2, float sharpness = 1)
    {
        var options = new Seq2SeqOptions { EmbeddingDim = 16, EncoderHidden = 12, EncoderLayers = layers, DecoderEmbedding = 8, DecoderHidden = 20 };
        var description = new Seq2SeqTrainer(options).Describe(Words);
        TorchFixture.Init(seed);
        var network = TaskNetworks.Create<Seq2SeqNetwork>(description, dropout: 0);
        network.eval();
        using (no_grad()) network.get_parameter("attention.weight")!.mul_(sharpness);
        using var dir = new TempDirectory();
        TaskNetworks.Save(dir.File("m.safetensors"), network);
        return (network, FloatLstmModel.FromSafeTensors(SafeTensorsReader.Read(dir.File("m.safetensors"))), description);
    }

    [Theory]
    [InlineData(1, 1f)]
    [InlineData(2, 1f)]
    [InlineData(2, 20000f)] // scores beyond exp's range: the softmax must take the largest off first
    public void DecoderStepsMatchLibTorch(int layers, float sharpness)
    {
        var (network, model, d) = Random(21, layers, sharpness);
        using (network)
        using (var decoder = model.CreateAttentionDecoder(3))
        {
            int[] word = model.Tokenizer.Encode("THROUGH");
            long[] previous = [DecoderDescription.StartId, 5, 9, 3, 12, 2]; // 16 output tokens in all
            float[] expected;
            using (no_grad())
            using (var logits = network.Forward(tensor(Array.ConvertAll(word, t => (long)t), [1, word.Length]), tensor(new long[] { word.Length }),
                tensor(previous, [1, previous.Length])))
                expected = logits.data<float>().ToArray();
            int v = d.Head.Size;
            var actual = new float[3 * v];
            decoder.Begin(word);
            for (int u = 0; u < previous.Length; u++)
            {
                decoder.Step([(int)previous[u]], actual.AsSpan(0, v));
                for (int j = 0; j < v; j++) Assert.InRange(Math.Abs(actual[j] - expected[u * v + j]), 0, 1e-4);
            }
            // Streams are independent: three hypotheses from one state, each fed its own token, give each's logits.
            decoder.Begin(word);
            decoder.Step([(int)previous[0]], actual.AsSpan(0, v));
            decoder.Reorder([0, 0, 0]);
            decoder.Step([(int)previous[1], 7, (int)previous[1]], actual);
            for (int j = 0; j < v; j++)
            {
                Assert.InRange(Math.Abs(actual[j] - expected[v + j]), 0, 1e-4);
                Assert.Equal(actual[j], actual[2 * v + j]);
            }
        }
    }

    [Fact]
    public void BeamOfWidthOneIsLibTorchsGreedyDecoding()
    {
        var (network, model, d) = Random(5);
        using (network)
        using (var transducer = model.CreateTransducer())
        {
            var output = new int[d.Head.Decoder!.MaxSteps];
            foreach (string w in new[] { "CAT", "DOG", "THROUGH", "READ", "QUEUE'S", "TAR", "GOAT" })
            {
                int[] word = model.Tokenizer.Encode(w);
                int[] greedy = network.Greedy(tensor(Array.ConvertAll(word, t => (long)t), [1, word.Length]), tensor(new long[] { word.Length }))[0];
                int n = transducer.Transduce(word, 1, output);
                Assert.Equal(greedy, output[..n]);
                // A wider beam returns some sequence of real symbols within max_steps.
                int m = transducer.Transduce(word, 4, output);
                Assert.InRange(m, 0, d.Head.Decoder.MaxSteps);
                Assert.All(output[..m], id => Assert.InRange(id, DecoderDescription.EndId + 1, d.Head.Size - 1));
            }
        }
    }

    /// <summary>The int8 decoder's logits are the same bits on every kernel variant; its outputs stay close to float's.</summary>
    [Fact]
    public void Int8DecoderIsBitIdenticalOnEveryVariantAndNearFloat()
    {
        var (network, model, d) = Random(13);
        network.Dispose();
        using var int8 = (EdgeLstm.Runtime.Int8.QuantizedLstmModel)EdgeLstm.Runtime.Format.CompactModelLoader.Load(EdgeLstm.Runtime.Format.ModelFileReader.Parse(
            EdgeLstm.Converter.CompactModelBuilder.Build(model, EdgeLstm.Converter.WeightType.Int8, blockSparse: false, "none", "test"), "g2p.elstm"));
        int v = d.Head.Size;
        int[] word = model.Tokenizer.Encode("QUEUE'S");
        int[] fed = [DecoderDescription.StartId, 4, 9, 3];
        float[] Logits(EdgeLstm.Runtime.Kernels.ILstmKernels kernels, int threads = 1)
        {
            using var decoder = int8.CreateAttentionDecoder(kernels, 2, threads);
            var all = new float[fed.Length * 2 * v];
            decoder.Begin(model.Tokenizer.Encode("THROUGH")); // another word first: nothing of it may remain
            decoder.Begin(word);
            decoder.Step([fed[0]], all.AsSpan(0, v));
            decoder.Reorder([0, 0]);
            for (int u = 1; u < fed.Length; u++) decoder.Step([fed[u], (fed[u] + 1) % v], all.AsSpan(u * 2 * v, 2 * v));
            return all;
        }
        float[] scalar = Logits(EdgeLstm.Runtime.Kernels.LstmKernels.Create("scalar"));
        foreach (var kernels in EdgeLstm.Runtime.Kernels.LstmKernels.AllSupported())
            Assert.Equal(scalar, Logits(kernels));
        Assert.Equal(scalar, Logits(EdgeLstm.Runtime.Kernels.LstmKernels.Default, threads: 2)); // the encoder's directions on two cores
        // Two threads (the encoder's directions on two cores) decode the same words to the same symbols.
        var words = new[] { "THROUGH", "CAT", "QUEUE'S", "DOG" }.Select(w => model.Tokenizer.Encode(w)).ToArray();
        using (var one = int8.CreateTransducer(EdgeLstm.Runtime.Kernels.LstmKernels.Default))
        using (var two = int8.CreateTransducer(EdgeLstm.Runtime.Kernels.LstmKernels.Default, BeamSearchTransducer.DefaultMaxBeam, threads: 2))
        {
            var a = new int[d.Head.Decoder!.MaxSteps];
            var b = new int[d.Head.Decoder!.MaxSteps];
            foreach (int beam in new[] { 1, 5 })
                foreach (int[] w in words)
                {
                    int n = one.Transduce(w, beam, a);
                    Assert.Equal(n, two.Transduce(w, beam, b));
                    Assert.Equal(a[..n], b[..n]);
                }
        }
        using var floatDecoder = model.CreateAttentionDecoder(1);
        var f = new float[v];
        floatDecoder.Begin(word);
        for (int u = 0; u < fed.Length; u++)
        {
            floatDecoder.Step([fed[u]], f);
            for (int j = 0; j < v; j++) Assert.InRange(Math.Abs(f[j] - scalar[u * 2 * v + j]), 0, 0.05);
        }
    }

    /// <summary>Once warmed up (buffers grown to the longest word, a recurrence made for each hypothesis count), decoding allocates nothing.</summary>
    [Fact]
    public void TransducingAllocatesNothingOnceWarmedUp()
    {
        var (network, model, d) = Random(17);
        network.Dispose();
        using var int8 = EdgeLstm.Runtime.Format.CompactModelLoader.Load(EdgeLstm.Runtime.Format.ModelFileReader.Parse(
            EdgeLstm.Converter.CompactModelBuilder.Build(model, EdgeLstm.Converter.WeightType.Int8, blockSparse: false, "none", "test"), "g2p.elstm"));
        int[][] words = new[] { "THROUGH", "CAT", "QUEUE'S", "DOG" }.Select(w => model.Tokenizer.Encode(w)).ToArray();
        var output = new int[d.Head.Decoder!.MaxSteps];
        foreach (ILanguageModel m in new ILanguageModel[] { model, int8 })
        {
            using var transducer = m.CreateTransducer();
            foreach (int beam in new[] { 1, 2, 3, 4, 5, 6, 7, 8 })
                foreach (var w in words) transducer.Transduce(w, beam, output);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < 20; round++)
                foreach (var w in words) transducer.Transduce(w, 1 + round % 8, output);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void ErrorRatesCountWordsAndEdits()
    {
        var metrics = new TransductionMetrics();
        metrics.Add(["K", "AE", "T"], [["K", "AE", "T"]]);            // right
        metrics.Add(["R", "EH", "D"], [["R", "IY", "D"], ["R", "EH", "D"]]); // right: any pronunciation counts
        metrics.Add(["D", "AA", "G", "Z"], [["D", "AO", "G"]]);       // 1 substitution + 1 insertion over 3
        Assert.Equal(100.0 / 3, metrics.Wer, 9);
        Assert.Equal(100.0 * 2 / 9, metrics.Per, 9);
        Assert.Equal(3, TransductionMetrics.EditDistance(["A", "B", "C"], []));
    }

    [Fact]
    public void CliPronouncesWordsAndRejectsUnknownCharactersInOneLine()
    {
        var (network, _, _) = Random(9);
        using var dir = new TempDirectory();
        TaskNetworks.Save(dir.File("g2p.safetensors"), network);
        network.Dispose();
        var r = CliRunner.Run("g2p", "-m", dir.File("g2p.safetensors"), "--beam", "3", "cat", "Dog");
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] lines = r.Stdout.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("cat\t", lines[0]);
        Assert.StartsWith("Dog\t", lines[1]);
        r = CliRunner.Run("g2p", "-m", dir.File("g2p.safetensors"), "cat", "catë");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: 'catë' has a character the model does not know: 'ë' (U+00EB) at position 3", r.Stderr.TrimEnd());
        Assert.Empty(r.Stdout);
        r = CliRunner.Run("g2p", "-m", Arm64BitIdentityTests.RepoPath("runtime", "models", "sentiment.elstm"), "cat");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'g2p' needs a 'seq2seq' model", r.Stderr);
    }
}
