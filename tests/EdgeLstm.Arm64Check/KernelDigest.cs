using System.IO.Hashing;
using System.Runtime.InteropServices;
using EdgeLstm.Converter;

namespace EdgeLstm.Arm64Check;

/// <summary>
/// xxHash64 of all logits of fixed int8 models (dense and 50% block-sparse) and an int4 one stepped 300 times, and of BiLSTM
/// classifiers (each pooling) and BiLSTM taggers (one with word affix features) run over whole sequences, per kernel variant. Everything (weights, conversion, tokens) is computed with IEEE operations and System.Random's
/// seeded generator, so the digest is the same on any CPU whose results are bit-identical.
/// </summary>
public static class KernelDigest
{
    public static IEnumerable<(string Variant, string Model, ulong Digest)> Compute()
    {
        foreach (string kind in new[] { "dense", "block-sparse", "int4" })
        {
            var model = Model(kind);
            var tokens = new Random(6).GetItems(Enumerable.Range(0, model.OutputSize).ToArray(), 300);
            foreach (var kernels in LstmKernels.AllSupported())
            {
                var session = model.CreateSession(kernels);
                var hash = new XxHash64();
                foreach (int t in tokens) hash.Append(MemoryMarshal.AsBytes(session.Step(t)));
                yield return (kernels.Name, kind, hash.GetCurrentHashAsUInt64());
            }
        }
        foreach (var result in ComputeClassifiers()) yield return result;
    }

    /// <summary>Int8 BiLSTM classifiers, one per pooling, run over whole sequences (one crossing a 64-step chunk), per kernel variant.</summary>
    public static IEnumerable<(string Variant, string Model, ulong Digest)> ComputeClassifiers()
    {
        int[][] sequences = [[2, 3, 4, 5, 6], [.. Enumerable.Range(0, 70).Select(i => 2 + i * 7 % 40)], [.. Enumerable.Range(0, 130).Select(i => 2 + i * 11 % 40)]];
        foreach (string pooling in new[] { Poolings.Last, Poolings.Mean, Poolings.Max, Poolings.Attention })
        {
            using var model = Classifier(pooling);
            foreach (var kernels in LstmKernels.AllSupported())
            {
                using var runner = model.CreateRunner(kernels);
                var hash = new XxHash64();
                foreach (int[] tokens in sequences) hash.Append(MemoryMarshal.AsBytes(runner.Run(tokens)));
                yield return (kernels.Name, $"bilstm-{pooling}", hash.GetCurrentHashAsUInt64());
            }
        }
        // A BiLSTM tag head (a punctuation restorer's shape): logits at every step.
        using var tagger = Classifier(Poolings.None);
        foreach (var kernels in LstmKernels.AllSupported())
        {
            using var runner = tagger.CreateRunner(kernels);
            var hash = new XxHash64();
            foreach (int[] tokens in sequences) hash.Append(MemoryMarshal.AsBytes(runner.Run(tokens)));
            yield return (kernels.Name, "bilstm-tagger", hash.GetCurrentHashAsUInt64());
        }
        // A BiLSTM tagger with word affix features: layer 0's input is dequantized, summed and quantized again.
        using var affixTagger = Classifier(Poolings.None, affixes: true);
        var tokenizer = (WordTokenizer)affixTagger.Tokenizer;
        var affixes = new WordAffixes(affixTagger.Description.Input.Affixes!);
        string[] texts = ["w2 W3 quuxing 1999 .", string.Join(' ', Enumerable.Range(0, 70).Select(i => i % 3 == 0 ? $"W{i}ed" : $"w{i * 7 % 40}"))];
        foreach (var kernels in LstmKernels.AllSupported())
        {
            using var runner = affixTagger.CreateRunner(kernels);
            var hash = new XxHash64();
            foreach (string text in texts) hash.Append(MemoryMarshal.AsBytes(runner.Run(tokenizer.Encode(text), affixes.Encode(tokenizer.Surface(text)))));
            yield return (kernels.Name, "bilstm-affix-tagger", hash.GetCurrentHashAsUInt64());
        }
    }

    private static QuantizedLstmModel Classifier(string pooling, bool affixes = false)
    {
        var random = new Random(23);
        var words = WordTokenizer.Build([string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{i}"))], 64, 1, lowercase: true);
        var description = new ModelDescription
        {
            Input = new InputDescription
            {
                Kind = InputKinds.Tokens, Size = 24, Tokenizer = words.ToDescription(),
                Affixes = affixes ? new AffixDescription { Buckets = 257, Size = 8, Prefixes = 2, Suffixes = 3, Shape = true } : null,
            },
            Encoder = [new EncoderLayerDescription { Hidden = 32, Bidirectional = true }, new EncoderLayerDescription { Hidden = 16, Bidirectional = true }],
            Head = new HeadDescription { Kind = pooling == Poolings.None ? HeadKinds.Tag : HeadKinds.Classify, Pooling = pooling, Size = 3, Labels = ["a", "b", "c"] },
        };
        var tensors = new Dictionary<string, float[]>();
        foreach (TensorSpec spec in ModelTensors.Of(description, fusedBiases: false))
        {
            long n = spec.Shape.Aggregate(1L, (a, b) => a * b);
            float range = spec.Role is TensorRole.Embedding or TensorRole.AffixEmbedding ? 1f : 1.5f / MathF.Sqrt(spec.Shape[^1]);
            tensors[spec.Name] = Enumerable.Range(0, (int)n).Select(_ => (float)((random.NextDouble() * 2 - 1) * range)).ToArray();
        }
        byte[] bytes = CompactModelBuilder.Build(new FloatLstmModel(description, tensors), WeightType.Int8, blockSparse: false, "check", "check");
        return (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(bytes, "check.elstm"));
    }

    /// <summary>Two layers: "dense" or "block-sparse" (50%) int8 at hidden 48, or "int4" at hidden 64 (widths 32 divides).</summary>
    private static QuantizedLstmModel Model(string kind)
    {
        var random = new Random(17);
        var tokenizer = CharTokenizer.FromText("abcdefghijklmnopqrstuvwxyz .,;!?-'\"ABCDEFGHIJ");
        bool blockSparse = kind == "block-sparse", int4 = kind == "int4";
        int hidden = int4 ? 64 : 48, embedding = 32;
        float[] U(int n, float r)
        {
            var v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float)((random.NextDouble() * 2 - 1) * r);
            return v;
        }
        float bound = 1f / MathF.Sqrt(hidden);
        int vocab = tokenizer.VocabularySize;
        var layers = new[]
        {
            new FloatLstmLayer(embedding, hidden, U(4 * hidden * embedding, bound), U(4 * hidden * hidden, bound), U(4 * hidden, bound), U(4 * hidden, bound)),
            new FloatLstmLayer(hidden, hidden, U(4 * hidden * hidden, bound), U(4 * hidden * hidden, bound), U(4 * hidden, bound), U(4 * hidden, bound)),
        };
        var floatModel = new FloatLstmModel(tokenizer, U(vocab * embedding, 1f), embedding, layers, U(vocab * hidden, bound), U(vocab, bound));
        if (blockSparse) floatModel = PruningMasks.Apply(floatModel, PruningMasks.Compute(floatModel, PruneSpec.Parse("block:0.5")));
        byte[] bytes = CompactModelBuilder.Build(floatModel, int4 ? WeightType.Int4 : WeightType.Int8, blockSparse, "check", "check");
        return (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(bytes, "check.elstm"));
    }
}
