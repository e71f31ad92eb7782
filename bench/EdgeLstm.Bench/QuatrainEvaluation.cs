using System.Text;
using EdgeLstm.Runtime.Poetry;
using EdgeLstm.Runtime.Sampling;
using ScottPlot;

namespace EdgeLstm.Bench;

/// <summary>
/// `bench quatrains TEST PLOT MODEL[=LABEL]... [--samples N] [--temperatures T,T,...]`: how a language GAN's
/// generator compares with maximum likelihood once both are sampled across temperatures (Caccia et al. 2020). For
/// each model (float or int8 file, run by the runtime as on the device): held-out bits/char on the test quatrains;
/// then per temperature N poems sampled freely (seeds 1..N, from a newline to the model's newline) scored by
/// BLEU-2 and BLEU-4 against every test quatrain (quality, as SeqGAN reports it), Self-BLEU-4 among the samples
/// (lower is more diverse) and the share that are well-formed five-character quatrains without `--form`. The plot
/// (PNG and SVG) draws BLEU-4 against Self-BLEU-4, one line per model through its temperatures.
/// </summary>
public static class QuatrainEvaluation
{
    private sealed record Row(string Label, float Temperature, double Bleu2, double Bleu4, double SelfBleu4, double WellFormed);

    public static int Run(string[] args)
    {
        int samples = 1000;
        float[] temperatures = [0.5f, 0.7f, 0.9f, 1.1f, 1.3f, 1.5f];
        var positional = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--samples" && i + 1 < args.Length) samples = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (args[i] == "--temperatures" && i + 1 < args.Length)
                temperatures = args[++i].Split(',').Select(t => float.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            else positional.Add(args[i]);
        }
        if (positional.Count < 3)
        {
            Console.Error.WriteLine("usage: edgelstm-bench quatrains TEST.txt PLOT.png MODEL[=LABEL]... [--samples N] [--temperatures T,T,...]");
            return 2;
        }
        string testPath = positional[0], plotPath = positional[1];
        string testText = File.ReadAllText(testPath);
        var references = testText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(CodePoints).ToList();
        var bleu2 = new Bleu(references, 2);
        var bleu4 = new Bleu(references, 4);
        Console.WriteLine($"{references.Count:N0} test quatrains ({testPath}); {samples:N0} samples a temperature, seeds 1..{samples}");
        Console.WriteLine();
        Console.WriteLine("| model | test bits/char | temperature | BLEU-2 | BLEU-4 | Self-BLEU-4 | well-formed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        var rows = new List<Row>();
        foreach (string spec in positional.Skip(2))
        {
            string path = spec.Split('=')[0], label = spec.Contains('=') ? spec[(spec.IndexOf('=') + 1)..] : Path.GetFileNameWithoutExtension(spec);
            using var model = ModelLoader.Load(path);
            double bits = BitsPerCharEvaluator.Evaluate(model, model.Tokenizer.Encode("\n" + testText));
            using var session = model.CreateSession();
            var generator = new PoemGenerator(session);
            foreach (float temperature in temperatures)
            {
                var poems = new List<int[]>(samples);
                int wellFormed = 0;
                for (int s = 1; s <= samples; s++)
                {
                    string poem = generator.Generate("", null, new TokenSampler(new SamplingOptions(temperature, 0, 1f, (ulong)s)), maxChars: 64);
                    if (PoemForm.Jueju5.IsWellFormed(poem)) wellFormed++;
                    poems.Add(CodePoints(poem));
                }
                var row = new Row(label, temperature, Mean(bleu2, poems), Mean(bleu4, poems), Bleu.Self(poems, 4), (double)wellFormed / samples);
                rows.Add(row);
                Console.WriteLine($"| {label} | {bits:F4} | {temperature:F1} | {row.Bleu2:F3} | {row.Bleu4:F3} | {row.SelfBleu4:F3} | {row.WellFormed:P1} |");
            }
        }
        SavePlot(plotPath, rows);
        Console.WriteLine();
        Console.WriteLine($"plot: {plotPath} and {Path.ChangeExtension(plotPath, ".svg")}");
        return 0;
    }

    /// <summary>
    /// `bench quatrains-plot PLOT.png TABLE...`: the plot redrawn from the tables earlier runs printed (their rows in
    /// order), so models evaluated in separate runs (a seed that finished later) share one figure.
    /// </summary>
    public static int Redraw(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: edgelstm-bench quatrains-plot PLOT.png TABLE...");
            return 2;
        }
        var rows = new List<Row>();
        foreach (string path in args[1..])
            foreach (string line in File.ReadLines(path))
            {
                string[] cells = line.Split('|', StringSplitOptions.TrimEntries);
                // "| label | bits | temperature | BLEU-2 | BLEU-4 | Self-BLEU-4 | well-formed |" splits into 9 cells, the outer two empty.
                if (cells.Length != 9 || !float.TryParse(cells[3], CultureInfo.InvariantCulture, out float temperature)) continue;
                double Number(int i) => double.Parse(cells[i], CultureInfo.InvariantCulture);
                rows.Add(new Row(cells[1], temperature, Number(4), Number(5), Number(6), double.Parse(cells[7].TrimEnd('%', ' '), CultureInfo.InvariantCulture) / 100));
            }
        if (rows.Count == 0)
        {
            Console.Error.WriteLine($"{string.Join(", ", args[1..])}: no rows of a `bench quatrains` table");
            return 1;
        }
        SavePlot(args[0], rows);
        Console.WriteLine($"plot: {args[0]} and {Path.ChangeExtension(args[0], ".svg")} ({rows.Count} rows)");
        return 0;
    }

    private static double Mean(Bleu bleu, List<int[]> poems) => poems.Average(p => bleu.Score(p));

    private static int[] CodePoints(string text) => text.EnumerateRunes().Select(r => r.Value).ToArray();

    private static void SavePlot(string path, List<Row> rows)
    {
        var plot = new Plot();
        bool labelled = false;
        foreach (var model in rows.GroupBy(r => r.Label))
        {
            var points = model.OrderBy(r => r.Temperature).ToArray();
            var line = plot.Add.Scatter(points.Select(r => r.SelfBleu4).ToArray(), points.Select(r => r.Bleu4).ToArray());
            line.LegendText = model.Key;
            line.MarkerSize = 7;
            if (labelled) continue;
            // The models share their temperatures and lie close together: the first line's points alone are named.
            labelled = true;
            foreach (var r in points)
            {
                var text = plot.Add.Text($"T {r.Temperature:F1}", r.SelfBleu4, r.Bleu4);
                text.LabelFontSize = 12;
                text.LabelOffsetX = 8;
                text.LabelOffsetY = 6;
            }
        }
        plot.Title("Generated quatrains: quality against diversity across temperatures");
        plot.XLabel("Self-BLEU-4 among samples (lower: more diverse)");
        plot.YLabel("BLEU-4 against the test quatrains (higher: closer)");
        plot.ShowLegend(Alignment.LowerRight);
        // PNG for the README, SVG beside it; each written to a temporary file and renamed.
        string svg = Path.ChangeExtension(path, ".svg");
        plot.SavePng(path + ".tmp.png", 900, 600);
        plot.SaveSvg(svg + ".tmp.svg", 900, 600);
        File.Move(path + ".tmp.png", path, overwrite: true);
        File.Move(svg + ".tmp.svg", svg, overwrite: true);
    }
}
