using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace EdgeLstm.Tests;

/// <summary>
/// Each committed ONNX fixture run by ONNX Runtime itself, on the fixture's token sequences: our imported float model
/// gives ORT's outputs on the same file (≤ 1e-4), and ORT gives PyTorch's stored ones (a check on the file and on this
/// harness, so that the first comparison is against what the graph computes).
/// </summary>
public sealed class OnnxRuntimeParityTests(ITestOutputHelper output)
{
    public static readonly TheoryData<string> Fixtures = new(OnnxFixtures.Names);

    private const double Tolerance = 1e-4;

    /// <summary>ORT's graph output on each sequence, flattened (batch 1, so step-major, as the fixtures store PyTorch's).</summary>
    private static float[][] RunOnnxRuntime(string name, int[][] sequences)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxFixtures.FixturePath(name + ".onnx"), options);
        using var run = new RunOptions();
        return sequences.Select(tokens =>
        {
            var names = new List<string>();
            var values = new List<OrtValue>();
            try
            {
                foreach (var (input, meta) in session.InputMetadata)
                {
                    Assert.Equal(typeof(long), meta.ElementType);
                    long[] ids = Array.ConvertAll(tokens, t => (long)t);
                    // Token ids are [1, steps] (batch first: the export fixed the batch axis at 1) or [steps, 1]; a
                    // rank-1 input is pack_padded_sequence's lengths, one sequence of all its steps.
                    long[] shape = meta.Dimensions.Length == 1 ? [1] : meta.Dimensions[0] == 1 ? [1, ids.Length] : [ids.Length, 1];
                    values.Add(OrtValue.CreateTensorValueFromMemory(meta.Dimensions.Length == 1 ? new[] { ids.LongLength } : ids, shape));
                    names.Add(input);
                }
                Assert.Single(session.OutputNames);
                using var results = session.Run(run, names, values, session.OutputNames);
                return results[0].GetTensorDataAsSpan<float>().ToArray();
            }
            finally
            {
                foreach (var v in values) v.Dispose();
            }
        }).ToArray();
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ImportedFloatModelEqualsOnnxRuntime(string name)
    {
        var (tokens, _, softmax) = OnnxFixtures.Expected(name);
        float[][] ort = RunOnnxRuntime(name, tokens);
        var (diff, scale) = OnnxFixtures.MaxDiff(OnnxFixtures.Run(OnnxFixtures.Import(name), tokens, softmax), ort);
        output.WriteLine($"{name}: max |ours − ONNX Runtime| = {diff:E2} over {tokens.Length} sequences (outputs up to {scale:F3})");
        Assert.True(diff <= Tolerance, $"{name}: max |ours − ONNX Runtime| = {diff:E2}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void OnnxRuntimeEqualsPyTorch(string name)
    {
        var (tokens, pytorch, _) = OnnxFixtures.Expected(name);
        var (diff, scale) = OnnxFixtures.MaxDiff(RunOnnxRuntime(name, tokens), pytorch);
        output.WriteLine($"{name}: max |ONNX Runtime − PyTorch| = {diff:E2} (outputs up to {scale:F3})");
        Assert.True(diff <= Tolerance, $"{name}: max |ONNX Runtime − PyTorch| = {diff:E2}");
    }
}
