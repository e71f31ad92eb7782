using System.Buffers.Binary;
using Xunit.Abstractions;

namespace EdgeLstm.Tests;

/// <summary>
/// Mangled .elstm files (bit flips, truncation, huge dimensions, overlapping offsets, with and without
/// recomputed checksums) must fail with a typed, readable <see cref="ModelFormatException"/>: no other
/// exception, crash, hang or runaway allocation. EDGELSTM_FUZZ_CASES sets the count for longer runs.
/// </summary>
public sealed class ModelFileFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void LoaderSurvivesAHundredThousandMangledFiles()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("EDGELSTM_FUZZ_CASES"), out int n) ? n : 100_000;
        var model = TinyModels.Create(layers: 2, hidden: 16, embedding: 16, seed: 5);
        byte[][] seeds =
        [
            CompactModelBuilder.Build(model, WeightType.Int8, blockSparse: false, "none", "fuzz"),
            CompactModelBuilder.Build(PruningMasks.Apply(model, PruningMasks.Compute(model, PruneSpec.Parse("block:0.5"))), WeightType.Int8, blockSparse: true, "block:0.5", "fuzz"),
            CompactModelBuilder.Build(model, WeightType.F32, blockSparse: false, "none", "fuzz"),
            CompactModelBuilder.Build(SequenceModel(), WeightType.Int8, blockSparse: false, "none", "fuzz"),
            // A model description with a bidirectional layer and attention pooling (JSON the mutations reach too).
            CompactModelBuilder.Build(TinyModels.Classifier(Poolings.Attention, seed: 3), WeightType.Int8, blockSparse: false, "none", "fuzz"),
            // Int4 matrices (widths divisible by 32), the embedding int8.
            CompactModelBuilder.Build(TinyModels.Create(layers: 1, hidden: 32, embedding: 32, seed: 5), WeightType.Int4, blockSparse: false, "none", "fuzz"),
        ];
        var random = new Random(20261123);
        int rejected = 0, accepted = 0;
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases; i++)
        {
            byte[] file = Mutate(seeds[i % seeds.Length], random, out string how);
            try
            {
                // Whatever valid model a mutation makes (a "sequence" model too, if it flipped the task) must run.
                using ILanguageModel loaded = CompactModelLoader.Load(ModelFileReader.Parse(file, "fuzz.elstm"));
                using var runner = loaded.CreateRunner();
                if (loaded.HasEmbedding) runner.Run([1, loaded.Tokenizer.VocabularySize - 1, 1]);
                else runner.RunVectors(new float[2 * loaded.InputWidth]);
                if (loaded.Description.IsSteppable)
                {
                    using var session = loaded.CreateSession();
                    if (loaded.HasEmbedding)
                    {
                        session.Step(1);
                        session.Step(loaded.Tokenizer.VocabularySize - 1);
                    }
                    else
                    {
                        session.StepInput(new float[loaded.InputWidth]);
                        session.StepInput(Enumerable.Repeat(1f, loaded.InputWidth).ToArray());
                    }
                }
                accepted++;
            }
            catch (ModelFormatException e)
            {
                Assert.StartsWith("fuzz.elstm: ", e.Message);
                Assert.False(e.Message.Contains('\n'), $"case {i} ({how}): multi-line message: {e.Message}");
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i} ({how}) threw {e}");
            }
        }
        long allocatedMb = (GC.GetTotalAllocatedBytes() - allocatedBefore) >> 20;
        output.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s: {rejected} rejected, {accepted} loaded and stepped; {allocatedMb} MB allocated in all");
        Assert.True(rejected > cases / 2, $"only {rejected} of {cases} mangled files were rejected");
    }

    private static FloatLstmModel SequenceModel()
    {
        var (tensors, metadata) = TinyModels.SequenceTensors(input: 4, hidden: 16, layers: 2, outputs: 3, seed: 6);
        return FloatLstmModel.FromSafeTensors(SafeTensorsReader.Parse(SafeTensorsWriter.Serialize(tensors, metadata), "sequence"));
    }

    private static byte[] Mutate(byte[] seed, Random random, out string how)
    {
        byte[] file = (byte[])seed.Clone();
        bool rehash = random.Next(2) == 0;
        switch (random.Next(5))
        {
            case 0:
                int flips = random.Next(1, 9);
                for (int f = 0; f < flips; f++) file[random.Next(file.Length)] ^= (byte)(1 << random.Next(8));
                how = $"{flips} bit flips";
                break;
            case 1:
                file = file[..random.Next(file.Length)];
                how = $"truncated to {file.Length}";
                break;
            case 2:
                // An 8-byte field somewhere set to a huge or extreme value: dimensions, offsets, lengths, counts.
                int at = random.Next(file.Length - 8);
                ulong value = random.Next(4) switch { 0 => ulong.MaxValue, 1 => 1UL << random.Next(64), 2 => (ulong)random.NextInt64(), _ => 0 };
                BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at), value);
                how = $"u64 at {at} = {value}";
                break;
            case 3:
                // Copy one 8-byte-aligned run of the directory over another: duplicated offsets overlap tensors.
                int src = 160 + 8 * random.Next(Math.Max(1, (file.Length / 4 - 160) / 8));
                int dst = 160 + 8 * random.Next(Math.Max(1, (file.Length / 4 - 160) / 8));
                int len = Math.Min(8 * random.Next(1, 5), Math.Min(file.Length - src, file.Length - dst));
                Array.Copy(file, src, file, dst, Math.Max(0, len));
                how = $"copied {len} bytes {src} → {dst}";
                break;
            default:
                int start = random.Next(file.Length);
                int count = Math.Min(random.Next(1, 64), file.Length - start);
                random.NextBytes(file.AsSpan(start, count));
                how = $"{count} random bytes at {start}";
                break;
        }
        if (rehash)
        {
            ModelFileRehasher.Rehash(file);
            how += ", rehashed";
        }
        return file;
    }
}
