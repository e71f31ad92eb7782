namespace EdgeLstm.Cli;

/// <summary>`edgelstm classify`: the label and class probabilities of each text (arguments, or the lines of a file).</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var threads = ModelSource.CreateRunnerThreadsOption();
        var texts = new Argument<string[]>("text") { Description = "Texts to classify (or use --input)", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<FileInfo>("--input", "-i") { Description = "A UTF-8 file: each non-empty line is one text" };
        var all = new Option<bool>("--all") { Description = "Print the probability of every label, not only the most likely" };
        var command = new Command("classify", "Classify texts with a classifier model: prints label, probability and text, one line each (tab-separated)")
        {
            model, texts, input, all, threads,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            var lines = new List<string>(result.GetValue(texts) ?? []);
            if (result.GetValue(input) is { } file)
            {
                if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such file", file.FullName);
                lines.AddRange(StrictUtf8.ReadFile(file.FullName).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0));
            }
            if (lines.Count == 0) throw new ArgumentException("nothing to classify: pass texts as arguments or --input FILE");
            foreach (string line in lines)
                if (line.Contains('\uFFFD')) throw new ArgumentException($"text is not valid UTF-8 (it decodes to U+FFFD): {line}");
            using var source = ModelSource.Load(result.GetValue(model));
            ILanguageModel classifier = source.Require(ModelTask.Classifier, "classify");
            string[] labels = classifier.Description.Head.Labels;
            using ISequenceRunner runner = ModelSource.CreateRunner(classifier, result.GetValue(threads));
            var probabilities = new float[labels.Length];
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
            foreach (string line in lines)
            {
                StableSoftmax.Compute(runner.Run(ClassifierEvaluator.Tokens(classifier.Tokenizer, line, classifier.Description.Input.MaxSteps ?? 0)), probabilities);
                int best = ClassificationMetrics.ArgMax(probabilities);
                string detail = result.GetValue(all)
                    ? string.Join(' ', labels.Select((l, i) => string.Create(CultureInfo.InvariantCulture, $"{l}={probabilities[i]:F3}")))
                    : probabilities[best].ToString("F3", CultureInfo.InvariantCulture);
                stdout.WriteLine($"{labels[best]}\t{detail}\t{line}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
