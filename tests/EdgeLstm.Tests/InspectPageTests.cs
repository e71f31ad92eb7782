using System.IO.Compression;
using System.Text.RegularExpressions;

namespace EdgeLstm.Tests;

/// <summary>
/// `edgelstm inspect` end to end: the CLI writes the page from a small model, and a real headless Chromium (Debian's
/// `chromium`, which `./build.sh test` installs) runs its script: the DOM after it ran holds the expected elements,
/// and a screenshot is not blank.
/// </summary>
public sealed class InspectPageTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (string Model, string Text) Inputs()
    {
        string model = _dir.File("tiny.safetensors");
        TinyModels.Save(TinyModels.Create(layers: 2, hidden: 16, embedding: 8, seed: 11, text: "Call \"me\" Ishmael, the whale and the sea.\n"), model);
        string text = _dir.File("text.txt");
        File.WriteAllText(text, "Call \"me\" Ishmael, \"the whale\" and the sea.\n\"Call me\" the sea.\n");
        return (model, text);
    }

    [Fact]
    public void ThePageDrawsInHeadlessChromium()
    {
        var (model, text) = Inputs();
        string report = _dir.File("report.html");
        var run = CliRunner.RunDev("inspect", "-m", model, "--text", text, "-o", report);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("pattern \"[^\"]*\": covers 24 of 63 tokens", run.Stdout);
        Assert.Matches(@"layer 1: \|h_float − h_int8\| max [0-9.e-]+", run.Stdout);
        string html = File.ReadAllText(report);
        Assert.DoesNotMatch(new Regex("(src|href)=\"https?:", RegexOptions.IgnoreCase), html); // self-contained

        string dom = Chromium("--dump-dom", new Uri(report).AbsoluteUri);
        Assert.Contains("data-ready=\"1\"", dom); // the script ran to its end
        Assert.Equal(2 * 63, Regex.Matches(dom, "class=\"tok\"").Count); // the text, and again under the drift plot
        Assert.Equal(2 * 3 * 16, Regex.Matches(dom, "<circle").Count); // every unit's i, f, o gates, per layer
        Assert.Equal(2, Regex.Matches(dom, "<polyline").Count); // a drift line per layer
        Assert.Matches("L[01]/[0-9]+ [ch] r -?[01]\\.[0-9]{3}", dom); // units ranked by the pattern

        string shot = _dir.File("shot.png");
        Chromium("--screenshot=" + shot, "--window-size=1000,1400", new Uri(report).AbsoluteUri);
        Assert.True(DistinctPixelBytes(shot) > 32, "the screenshot is blank");
    }

    [Fact]
    public void TheClassifierPageDrawsInHeadlessChromium()
    {
        string model = _dir.File("classifier.safetensors");
        TinyModels.Save(TinyModels.Classifier(seed: 5), model);
        string text = _dir.File("sentences.txt");
        File.WriteAllText(text, "a good film\n\nthe whale and a bad film\n");
        string report = _dir.File("classifier.html");
        var run = CliRunner.RunDev("inspect", "-m", model, "--text", text, "-o", report);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("2 texts through classifier.safetensors (classify)", run.Stdout);
        Assert.Matches(@"text 2: (negative|positive) [0-9.]+%; strongest token '[a-z]+' \([+-]0\.[0-9]{3}\)", run.Stdout);
        string dom = Chromium("--dump-dom", new Uri(report).AbsoluteUri);
        Assert.Contains("data-ready=\"1\"", dom);
        Assert.Equal(3 + 6, Regex.Matches(dom, "class=\"tok\"").Count); // every token of both texts
        Assert.Equal(2, Regex.Matches(dom, "<h2>text [12]: (negative|positive)").Count);
        Assert.DoesNotContain("class=\"text attention\"", dom);

        // Attention pooling: the pooling's weights get a text box of their own under each text.
        TinyModels.Save(TinyModels.Classifier(EdgeLstm.Runtime.Poolings.Attention, seed: 5), model);
        Assert.Equal(0, CliRunner.RunDev("inspect", "-m", model, "--text", text, "-o", report, "--force").ExitCode);
        dom = Chromium("--dump-dom", new Uri(report).AbsoluteUri);
        Assert.Contains("data-ready=\"1\"", dom);
        Assert.Equal(2, Regex.Matches(dom, "class=\"text attention\"").Count);
        Assert.Equal(2 * (3 + 6), Regex.Matches(dom, "class=\"tok\"").Count);
    }

    /// <summary>A word tagger (CRF, affix features): every token shows the label `tag` gives it, the CRF's path.</summary>
    [Fact]
    public void TheWordTaggerPageShowsEveryTokensLabelInHeadlessChromium()
    {
        var tokenizer = WordTokenizer.Build(["the cat sat on the mat"], 100, 1, lowercase: false, whitespace: true);
        var description = ClassifierNetwork.Describe(tokenizer, 8, 8, 1, true, Poolings.None, ["DT", "NN", "VB", "IN"], crf: true,
            affixes: new AffixDescription { Buckets = 64, Size = 4, Prefixes = 1, Suffixes = 2, Shape = true });
        using var network = TorchFixture.RandomNetwork<ClassifierNetwork>(description, seed: 3);
        var random = new Random(3);
        using (torch.no_grad()) // strong transitions, so that the best path is not each token's argmax
            foreach (var p in new[] { network.Crf!.Transitions, network.Crf.Start, network.Crf.End })
                p.copy_(torch.tensor(Enumerable.Range(0, (int)p.numel()).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray()).view(p.shape));
        string model = _dir.File("words.safetensors");
        TaskNetworks.Save(model, network);
        string text = _dir.File("words.txt");
        File.WriteAllText(text, "the cat sat on the Zorblat\nthe mat\n");
        string report = _dir.File("words.html");
        var run = CliRunner.RunDev("inspect", "-m", model, "--text", text, "-o", report);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Matches(@"text 1: 6 tokens tagged \(CRF best path\), [0-6] with a label below 50%", run.Stdout);
        string dom = Chromium("--dump-dom", new Uri(report).AbsoluteUri);
        Assert.Contains("data-ready=\"1\"", dom);
        var labels = Regex.Matches(dom, "<sup class=\"label\">([A-Z]+)</sup>").Select(m => m.Groups[1].Value).ToArray();
        var tagged = CliRunner.Run("tag", "--model", model, "the cat sat on the Zorblat", "the mat");
        Assert.True(tagged.ExitCode == 0, tagged.Stderr);
        Assert.Equal(tagged.Stdout.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(p => p[(p.LastIndexOf('/') + 1)..]), labels);
    }

    [Fact]
    public void BadInputIsOneLineAndExitCodeTwo()
    {
        var (model, text) = Inputs();
        string report = _dir.File("r.html");
        var badPattern = CliRunner.RunDev("inspect", "-m", model, "--text", text, "-o", report, "--pattern", "(");
        Assert.Equal(2, badPattern.ExitCode);
        Assert.StartsWith("error: --pattern is not a regular expression", badPattern.Stderr);
        string elstm = _dir.File("tiny.elstm");
        Assert.Equal(0, CliRunner.RunDev("convert", model, "-o", elstm).ExitCode);
        var compact = CliRunner.RunDev("inspect", "-m", elstm, "--text", text, "-o", report);
        Assert.Equal(2, compact.ExitCode);
        Assert.Contains("--model takes the float model (safetensors)", compact.Stderr);
        Assert.Single(compact.Stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(report));
        // With --int8, that same file is what the float model is compared with.
        var withInt8 = CliRunner.RunDev("inspect", "-m", model, "--int8", elstm, "--text", text, "-o", report);
        Assert.True(withInt8.ExitCode == 0, withInt8.Stderr);
        var again = CliRunner.RunDev("inspect", "-m", model, "--text", text, "-o", report);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("exists; pass --force", again.Stderr);
    }

    /// <summary>Runs headless Chromium and returns its stdout.</summary>
    private static string Chromium(params string[] args)
    {
        string? chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Assert.True(chromium is not null, "chromium is not installed (./build.sh test installs Debian's chromium)");
        var start = new ProcessStartInfo(chromium!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Root in a container: no sandbox; no GPU here.
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=" + Path.Combine(Path.GetTempPath(), "edgelstm-chromium-" + Environment.ProcessId) }.Concat(args))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "chromium did not finish in 2 minutes");
        Assert.True(process.ExitCode == 0, $"chromium exit code {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    /// <summary>Distinct byte values in a PNG's inflated image data: a blank page has a handful, a drawn one hundreds.</summary>
    private static int DistinctPixelBytes(string png)
    {
        byte[] file = File.ReadAllBytes(png);
        using var idat = new MemoryStream();
        for (int at = 8; at + 8 <= file.Length;)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
            if (System.Text.Encoding.ASCII.GetString(file, at + 4, 4) == "IDAT") idat.Write(file, at + 8, length);
            at += 12 + length;
        }
        idat.Position = 0;
        using var pixels = new ZLibStream(idat, CompressionMode.Decompress);
        var seen = new bool[256];
        var buffer = new byte[1 << 16];
        for (int n; (n = pixels.Read(buffer)) > 0;)
            for (int i = 0; i < n; i++) seen[buffer[i]] = true;
        return seen.Count(s => s);
    }
}
