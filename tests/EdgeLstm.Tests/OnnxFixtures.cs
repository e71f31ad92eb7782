using System.Text.Json;
using EdgeLstm.Converter.Onnx;
using Google.Protobuf;

namespace EdgeLstm.Tests;

/// <summary>
/// The ONNX files real PyTorch exported, and reverse-LSTM graphs built with onnx.helper whose outputs PyTorch computed
/// (tests/onnx/make_fixtures.py, committed under tests/onnx/fixtures): their
/// names, paths, import, PyTorch's stored outputs, and how our model's outputs compare with them.
/// </summary>
internal static class OnnxFixtures
{
    public static readonly string[] Names = ["char_lm_2layer", "bilstm_tagger", "lstm_seq_first", "bilstm_2layer_seq_first",
        "bilstm_max_classifier", "lstm_last_classifier", "lstm_mean_classifier", "bilstm_2layer_final_state_classifier",
        "lstm_2layer_explicit_zero_state", "bilstm_packed_tagger", "lstm_reverse_tagger", "lstm_reverse_final_state_classifier"];

    public static string FixturePath(string file) => Path.Combine(ClassifierTests.RepoRoot(), "tests", "onnx", "fixtures", file);

    public static FloatLstmModel Import(string name) =>
        OnnxModelImporter.Import(FixturePath(name + ".onnx"), FixturePath(name + ".description.json"));

    public static Onnx.ModelProto Proto(string name) => Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(FixturePath(name + ".onnx")));

    /// <summary>The import of a fixture's graph rewritten in memory, with its description.</summary>
    public static FloatLstmModel Import(Onnx.ModelProto proto, string name) => OnnxModelImporter.Import(proto.ToByteArray(), name + ".onnx", Description(name));

    /// <summary>The one-line error importing a fixture's graph rewritten in memory.</summary>
    public static ModelFormatException ImportError(Onnx.ModelProto proto, string name)
    {
        var e = Assert.Throws<ModelFormatException>(() => Import(proto, name));
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    public static ModelDescription Description(string name) => ModelDescription.FromJson(File.ReadAllText(FixturePath(name + ".description.json")), "description");

    /// <param name="Softmax">The graph ends with a Softmax: PyTorch's outputs are the probabilities, the softmax of our logits.</param>
    public static (int[][] Tokens, float[][] Outputs, bool Softmax) Expected(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePath(name + ".expected.json")));
        int[][] tokens = doc.RootElement.GetProperty("tokens").EnumerateArray().Select(s => s.EnumerateArray().Select(t => t.GetInt32()).ToArray()).ToArray();
        float[][] outputs = doc.RootElement.GetProperty("outputs").EnumerateArray().Select(s => s.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        bool softmax = doc.RootElement.TryGetProperty("softmax", out var p) && p.GetBoolean();
        return (tokens, outputs, softmax);
    }

    /// <summary>Our outputs on each sequence as the graph gives them: probabilities when it ends with a Softmax (our model keeps the logits).</summary>
    public static float[][] Run(ILanguageModel model, int[][] tokens, bool softmax)
    {
        using var runner = model.CreateRunner();
        return tokens.Select(sequence =>
        {
            float[] ours = runner.Run(sequence).ToArray();
            if (softmax) StableSoftmax.Compute(ours, ours);
            return ours;
        }).ToArray();
    }

    /// <summary>The largest |actual − expected| over every sequence, and the largest |expected| output; lengths must match.</summary>
    public static (double Diff, double Scale) MaxDiff(float[][] actual, float[][] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, scale = 0;
        for (int s = 0; s < expected.Length; s++)
        {
            Assert.Equal(expected[s].Length, actual[s].Length);
            for (int i = 0; i < expected[s].Length; i++)
            {
                diff = Math.Max(diff, Math.Abs(actual[s][i] - expected[s][i]));
                scale = Math.Max(scale, Math.Abs(expected[s][i]));
            }
        }
        return (diff, scale);
    }
}
