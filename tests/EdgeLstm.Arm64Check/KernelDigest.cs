using System.IO.Hashing;
using System.Runtime.InteropServices;
using EdgeLstm.Converter;
using EdgeLstm.Runtime;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Int8;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Arm64Check;

/// <summary>
/// xxHash64 of all logits of fixed int8 models (dense and 50% block-sparse) stepped 300 times, per kernel
/// variant. Everything (weights, conversion, tokens) is computed with IEEE operations and System.Random's
/// seeded generator, so the digest is the same on any CPU whose results are bit-identical.
/// </summary>
public static class KernelDigest
{
    public static IEnumerable<(string Variant, string Model, ulong Digest)> Compute()
    {
        foreach (bool blockSparse in new[] { false, true })
        {
            var model = Model(blockSparse);
            var tokens = new Random(6).GetItems(Enumerable.Range(0, model.VocabularySize).ToArray(), 300);
            foreach (var kernels in LstmKernels.AllSupported())
            {
                var session = model.CreateSession(kernels);
                var hash = new XxHash64();
                foreach (int t in tokens) hash.Append(MemoryMarshal.AsBytes(session.Step(t)));
                yield return (kernels.Name, blockSparse ? "block-sparse" : "dense", hash.GetCurrentHashAsUInt64());
            }
        }
    }

    private static QuantizedLstmModel Model(bool blockSparse)
    {
        var random = new Random(17);
        var tokenizer = CharTokenizer.FromText("abcdefghijklmnopqrstuvwxyz .,;!?-'\"ABCDEFGHIJ");
        const int hidden = 48, embedding = 32;
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
        byte[] bytes = CompactModelBuilder.Build(floatModel, WeightType.Int8, blockSparse, "check", "check");
        return (QuantizedLstmModel)CompactModelLoader.Load(ModelFileReader.Parse(bytes, "check.elstm"));
    }
}
