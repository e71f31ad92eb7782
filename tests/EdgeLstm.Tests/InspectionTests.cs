using System.Text.RegularExpressions;
using EdgeLstm.Runtime.Inspection;

namespace EdgeLstm.Tests;

/// <summary>The step observer, the state trace, unit ranking and the float/int8 drift behind `edgelstm inspect`.</summary>
public sealed class InspectionTests
{
    private const string Quoted = "Call \"me\" Ishmael, the \"whale\" and the sea.";

    /// <summary>Copies every call, so the test can check what the session handed over.</summary>
    private sealed class Recorder : ILstmStepObserver
    {
        public readonly List<(int Layer, float[] Gates, float[] H, float[] C)> Calls = [];
        public void OnLayerStep(int layer, ReadOnlySpan<float> gates, ReadOnlySpan<float> h, ReadOnlySpan<float> c) =>
            Calls.Add((layer, gates.ToArray(), h.ToArray(), c.ToArray()));
    }

    [Fact]
    public void ObserverSeesTheActivatedGatesAndTheNewStateOfEveryLayer()
    {
        var model = TinyModels.Create(layers: 2, hidden: 16, embedding: 8, seed: 3);
        int[] tokens = model.Tokenizer.Encode(TinyModels.Text[..20]);
        var recorder = new Recorder();
        using var session = model.CreateSession();
        session.Observer = recorder;
        var state = new float[session.StateLength];
        var previousC = new float[2][] { new float[16], new float[16] };
        foreach (int token in tokens)
        {
            session.Step(token);
            session.SaveState(state);
            var (l0, l1) = (recorder.Calls[^2], recorder.Calls[^1]);
            Assert.Equal((0, 1), (l0.Layer, l1.Layer));
            foreach (var (call, k) in new[] { (l0, 0), (l1, 1) })
            {
                // The state handed over is the session's state after the step (layer by layer: h, then c).
                Assert.Equal(state.AsSpan(k * 32, 16).ToArray(), call.H);
                Assert.Equal(state.AsSpan(k * 32 + 16, 16).ToArray(), call.C);
                for (int u = 0; u < 16; u++)
                {
                    float i = call.Gates[u], f = call.Gates[16 + u], g = call.Gates[32 + u], o = call.Gates[48 + u];
                    Assert.InRange(i, 0f, 1f);
                    Assert.InRange(g, -1f, 1f);
                    // Activated gates of this very step: they make the new c and h from the old c (to rounding: an
                    // absolute tolerance, as decimal places fail when a value sits on a rounding boundary).
                    Assert.Equal(f * previousC[k][u] + i * g, call.C[u], 1e-5f);
                    Assert.Equal(o * MathF.Tanh(call.C[u]), call.H[u], 1e-5f);
                }
                previousC[k] = call.C;
            }
        }
        Assert.Equal(2 * tokens.Length, recorder.Calls.Count);
    }

    [Fact]
    public void ObservingChangesNoLogitsAndTheReferenceSessionRefusesAnObserver()
    {
        var model = TinyModels.Create(seed: 4);
        int[] tokens = model.Tokenizer.Encode(TinyModels.Text);
        using var plain = model.CreateSession();
        using var observed = model.CreateSession();
        observed.Observer = new StateTrace([32, 32], tokens.Length);
        foreach (int t in tokens) Assert.Equal(plain.Step(t).ToArray(), observed.Step(t).ToArray());
        using var reference = model.CreateReferenceSession();
        Assert.Throws<NotSupportedException>(() => reference.Observer = new Recorder());
    }

    [Fact]
    public void TraceHoldsEveryStepAndCountsSaturatedGates()
    {
        var model = TinyModels.Create(layers: 1, hidden: 8, embedding: 8, seed: 6);
        int[] tokens = model.Tokenizer.Encode(TinyModels.Text);
        var trace = new StateTrace([8], tokens.Length);
        var recorder = new Recorder();
        using var session = model.CreateSession();
        session.Observer = trace;
        using var twin = model.CreateSession();
        twin.Observer = recorder;
        foreach (int t in tokens) { session.Step(t); twin.Step(t); }
        Assert.Equal(tokens.Length, trace.Recorded);
        for (int gate = 0; gate < 3; gate++)
            for (int u = 0; u < 8; u++)
            {
                int row = (gate == 2 ? 3 : gate) * 8 + u; // i, f, o of i, f, g, o
                Assert.Equal(recorder.Calls.Count(c => c.Gates[row] < 0.1f) / (double)tokens.Length, trace.LowFraction(0, gate, u), 12);
                Assert.Equal(recorder.Calls.Count(c => c.Gates[row] > 0.9f) / (double)tokens.Length, trace.HighFraction(0, gate, u), 12);
            }
        for (int t = 0; t < tokens.Length; t++)
            for (int u = 0; u < 8; u++)
                Assert.Equal(recorder.Calls[t].C[u], trace.C[0][u * tokens.Length + t]);
        Assert.Throws<InvalidOperationException>(() => session.Step(tokens[0]));
    }

    [Fact]
    public void AUnitThatIsTheFeatureRanksFirstWithCorrelationOne()
    {
        var model = TinyModels.Create(layers: 2, hidden: 16, embedding: 8, seed: 7);
        var run = TextInspection.Run(model, model, TinyModels.Text, 1000);
        float[] feature = run.Trace.H[1].AsSpan(5 * run.Steps, run.Steps).ToArray();
        UnitScore best = UnitCorrelation.Rank(run.Trace, feature)[0];
        Assert.Equal((1, 5, "h"), (best.Layer, best.Unit, best.State));
        Assert.Equal(1.0, best.Correlation, 9);
        Assert.Equal(0.0, UnitCorrelation.Pearson([1, 2, 3], [4, 4, 4]));
    }

    [Fact]
    public void PatternFeatureMarksTheTokensAMatchCovers()
    {
        var model = TinyModels.Create(text: Quoted, seed: 8);
        var run = TextInspection.Run(model, model, Quoted, 1000);
        float[] f = run.Feature(new Regex("\"[^\"]*\""));
        string expected = string.Concat(Quoted.Select((_, i) => Quoted.IndexOf("\"me\"") <= i && i < Quoted.IndexOf("\"me\"") + 4
            || Quoted.IndexOf("\"whale\"") <= i && i < Quoted.IndexOf("\"whale\"") + 7 ? '1' : '0'));
        Assert.Equal(expected, string.Concat(f.Select(v => v == 1 ? '1' : '0')));
        Assert.Equal(Quoted, run.Text);
    }

    [Fact]
    public void DriftIsZeroAgainstItselfAndSmallButNotZeroAgainstInt8()
    {
        var model = TinyModels.Create(layers: 2, hidden: 32, embedding: 16, seed: 9);
        var same = TextInspection.Run(model, model, TinyModels.Text, 1000);
        Assert.All(same.Drift, d => Assert.All(d, v => Assert.Equal(0f, v)));
        using var dir = new TempDirectory();
        string path = dir.File("tiny.safetensors");
        TinyModels.Save(model, path);
        var (bytes, _) = ModelConverter.Build(model, EdgeLstm.Runtime.SafeTensors.SafeTensorsReader.Read(path), new ConvertOptions { Input = path, Output = "" }, safetensorsOut: false);
        using var int8 = CompactModelLoader.Load(ModelFileReader.Parse(bytes, "tiny int8"));
        var run = TextInspection.Run(model, int8, TinyModels.Text, 40);
        Assert.Equal(40, run.Steps);
        foreach (float[] d in run.Drift)
        {
            Assert.True(d.Max() > 0, "int8 should depart from float somewhere");
            Assert.True(d.Max() < 0.2, $"drift {d.Max()} is too large for int8 of a small model");
        }
    }
}
