using System.Text.RegularExpressions;
using EdgeLstm.Converter;
using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Inspection;
using EdgeLstm.Runtime.SafeTensors;

namespace EdgeLstm.Cli;

/// <summary>
/// `edgelstm inspect`: runs a text through a float language model (every layer observed) and its int8 conversion,
/// and writes one self-contained HTML page (<see cref="InspectReport"/>): the text coloured by a unit's c or h, the
/// units that follow a regular expression, gate saturation, and where int8 departs from float. Prints the best
/// units for the pattern and the drift per layer.
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model", "-m") { Description = "Float model (safetensors): a language model (its int8 conversion made in memory to compare), or a classifier or tagger (one text per line)", Required = true };
        var int8 = new Option<FileInfo?>("--int8") { Description = "Compare against this .elstm int8 model instead of converting --model" };
        var text = new Option<FileInfo>("--text") { Description = "UTF-8 text to run through the model", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "The HTML report to write", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens of the text to run (the page holds every unit's state at every step)", DefaultValueFactory = _ => 1000 };
        var pattern = new Option<string>("--pattern") { Description = "Regular expression whose covered characters the units are ranked against (the page can change it)", DefaultValueFactory = _ => "\"[^\"]*\"" };
        var start = new Option<int>("--start") { Description = "Characters of the text to skip before the run", DefaultValueFactory = _ => 0 };
        var plots = new Option<DirectoryInfo?>("--plots") { Description = "Also write PNG versions of the figures (gate saturation per layer, drift) into this directory" };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite the output if it exists" };
        var command = new Command("inspect", "Write an HTML page showing what the LSTM's cells and gates do over a text and where int8 departs from float; for classifiers and taggers, each token's part in the decision")
        {
            model, int8, text, output, maxTokens, start, pattern, plots, force,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            FileInfo modelFile = result.GetValue(model)!, textFile = result.GetValue(text)!, outputFile = result.GetValue(output)!;
            int tokens = result.GetValue(maxTokens);
            if (tokens is < 2 or > 20_000) throw new ArgumentException($"--max-tokens must be between 2 and 20000, got {tokens}");
            Regex regex;
            try
            {
                regex = new Regex(result.GetValue(pattern)!, RegexOptions.None, TimeSpan.FromSeconds(5));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"--pattern is not a regular expression: {e.Message}");
            }
            if (outputFile.Exists && !result.GetValue(force)) throw new IOException($"{outputFile.FullName} exists; pass --force to overwrite it");
            if (!modelFile.Exists) throw new FileNotFoundException($"{modelFile.FullName}: no such file", modelFile.FullName);
            if (!textFile.Exists) throw new FileNotFoundException($"{textFile.FullName}: no such file", textFile.FullName);
            if (ModelLoader.IsCompactFile(modelFile.FullName))
                throw new ArgumentException($"{modelFile.Name} is an .elstm model; --model takes the float model (safetensors), and --int8 the .elstm to compare with it");

            var inputFile = SafeTensorsReader.Read(modelFile.FullName);
            FloatLstmModel floatModel = FloatLstmModel.FromSafeTensors(inputFile);
            if (floatModel.Description.Kind is ModelTask.Classifier or ModelTask.Tagger)
                return Decisions(floatModel, modelFile.Name, StrictUtf8.ReadFile(textFile.FullName), tokens, outputFile.FullName, result.GetValue(force));
            string int8Name;
            ILanguageModel quantized;
            if (result.GetValue(int8) is { } int8File)
            {
                if (!int8File.Exists) throw new FileNotFoundException($"{int8File.FullName}: no such file", int8File.FullName);
                quantized = CompactModelLoader.Load(ModelFileReader.Read(int8File.FullName));
                int8Name = int8File.Name;
            }
            else
            {
                var (bytes, _) = ModelConverter.Build(floatModel, inputFile, new ConvertOptions { Input = modelFile.FullName, Output = "" }, safetensorsOut: false);
                quantized = CompactModelLoader.Load(ModelFileReader.Parse(bytes, "int8 conversion"));
                int8Name = "int8 conversion of " + modelFile.Name + " (per-row weights, dynamic activations)";
            }
            using (quantized)
            {
                string content = StrictUtf8.ReadFile(textFile.FullName);
                int skip = result.GetValue(start);
                if (skip < 0 || skip >= content.Length) throw new ArgumentException($"--start must be ≥ 0 and below the text's {content.Length:N0} characters, got {skip}");
                if (char.IsLowSurrogate(content[skip])) skip++; // never half a character
                TextInspectionResult run = TextInspection.Run(floatModel, quantized, content[skip..], tokens);
                float[] feature;
                try
                {
                    feature = run.Feature(regex);
                }
                catch (RegexMatchTimeoutException)
                {
                    throw new ArgumentException($"--pattern {regex} took more than {regex.MatchTimeout.TotalSeconds:F0} s on the text; simplify it");
                }
                List<UnitScore> best = UnitCorrelation.Rank(run.Trace, feature);
                var summary = new InspectReport.Summary(modelFile.Name, int8Name, regex.ToString(), MostActive(run.Trace, 16), best.Take(12).ToList());
                AtomicFile.WriteAllBytes(outputFile.FullName, System.Text.Encoding.UTF8.GetBytes(InspectReport.Html(run, summary)), overwrite: result.GetValue(force));

                var inv = CultureInfo.InvariantCulture;
                Console.WriteLine($"{run.Steps:N0} tokens of {textFile.Name} through {modelFile.Name} and its int8 model");
                int covered = (int)feature.Sum();
                Console.WriteLine($"pattern {regex}: covers {covered:N0} of {run.Steps:N0} tokens; best units (Pearson r):");
                foreach (UnitScore u in best.Take(5)) Console.WriteLine(string.Create(inv, $"  layer {u.Layer} unit {u.Unit,4} {u.State}  r = {u.Correlation:+0.000;-0.000}"));
                for (int k = 0; k < run.Drift.Length; k++)
                    Console.WriteLine(string.Create(inv, $"layer {k}: |h_float − h_int8| max {run.Drift[k].Max():G3}, mean {run.Drift[k].Average():G3} over steps"));
                Console.WriteLine($"wrote {outputFile.FullName}");
                if (result.GetValue(plots) is { } directory)
                    foreach (string png in InspectPlots.Save(directory.FullName, run, modelFile.Name)) Console.WriteLine($"wrote {png}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A classifier or tagger (float model): each non-empty line of the text, up to 100, with its tokens' part in the decision.</summary>
    private static int Decisions(FloatLstmModel model, string name, string content, int maxTokens, string output, bool force)
    {
        var lines = content.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).Take(100).ToList();
        if (lines.Count == 0) throw new ArgumentException("--text has no non-empty line to run");
        var decisions = lines.Select(l => TokenDecisions.Run(model, l, maxTokens)).ToList();
        AtomicFile.WriteAllBytes(output, System.Text.Encoding.UTF8.GetBytes(InspectReport.DecisionsHtml(name, decisions)), overwrite: force);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{lines.Count} texts through {name} ({model.Description.Task})");
        for (int i = 0; i < decisions.Count && i < 10; i++)
        {
            TokenDecisions d = decisions[i];
            if (d.Contribution is { } part)
            {
                int strongest = Array.IndexOf(part, part.Max());
                Console.WriteLine(string.Create(inv, $"  text {i + 1}: {d.Labels[d.Predicted]} {d.Probabilities[d.Predicted] * 100:F1}%; strongest token '{d.Layout.Text.Substring(d.Layout.Starts[strongest], d.Layout.Lengths[strongest])}' ({part[strongest]:+0.000;-0.000})"));
            }
            else if (d.IsRestorer)
                Console.WriteLine($"  text {i + 1}: {d.Tags!.Count(t => t != 0)} of {d.Layout.Starts.Length} tokens take a label other than '{d.Labels[0]}'");
            else
            {
                // A word tagger: how many tokens got a label the model gives less than even odds (where to look first).
                int unsure = 0;
                for (int t = 0; t < d.Tags!.Length; t++) if (d.Probabilities[t * d.Labels.Length + d.Tags[t]] < 0.5f) unsure++;
                Console.WriteLine($"  text {i + 1}: {d.Tags.Length} tokens tagged{(model.Crf is null ? "" : " (CRF best path)")}, {unsure} with a label below 50%");
            }
        }
        Console.WriteLine($"wrote {output}");
        return ExitCodes.Success;
    }

    /// <summary>Units whose c (scaled to its own range) varies most over the text: a first list to look at.</summary>
    private static List<UnitScore> MostActive(StateTrace trace, int count)
    {
        var scores = new List<UnitScore>();
        for (int layer = 0; layer < trace.HiddenSizes.Length; layer++)
            for (int unit = 0; unit < trace.HiddenSizes[layer]; unit++)
            {
                ReadOnlySpan<float> c = trace.C[layer].AsSpan(unit * trace.Steps, trace.Recorded);
                float max = 0;
                foreach (float v in c) max = MathF.Max(max, MathF.Abs(v));
                if (max == 0) continue;
                double mean = 0, square = 0;
                foreach (float v in c) mean += v / max;
                mean /= c.Length;
                foreach (float v in c) square += (v / max - mean) * (v / max - mean);
                scores.Add(new UnitScore(layer, unit, "c", Math.Sqrt(square / c.Length)));
            }
        scores.Sort((a, b) => b.Correlation.CompareTo(a.Correlation));
        return scores.Take(count).ToList();
    }
}
