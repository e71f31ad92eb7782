namespace EdgeLstm.Cli;

/// <summary>
/// `edgelstm tag`: runs a tag model over each text. A punctuation restorer prints the text with the marks it
/// restores (marks already in the text are taken out first); any other tagger prints token/label pairs.
/// </summary>
internal static class TagCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var threads = ModelSource.CreateRunnerThreadsOption();
        var texts = new Argument<string[]>("text") { Description = "Texts to tag (or use --input)", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<FileInfo>("--input", "-i") { Description = "A UTF-8 file: each non-empty line is one text" };
        var command = new Command("tag", "Tag every token of each text; a punctuation model prints the text with its punctuation restored, one line per text")
        {
            model, texts, input, threads,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            var lines = new List<string>(result.GetValue(texts) ?? []);
            if (result.GetValue(input) is { } file)
            {
                if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such file", file.FullName);
                lines.AddRange(StrictUtf8.ReadFile(file.FullName).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0));
            }
            if (lines.Count == 0) throw new ArgumentException("nothing to tag: pass texts as arguments or --input FILE");
            foreach (string line in lines)
                if (line.Contains('\uFFFD')) throw new ArgumentException($"text is not valid UTF-8 (it decodes to U+FFFD): {line}");
            using var source = ModelSource.Load(result.GetValue(model));
            ILanguageModel tagger = source.Require(ModelTask.Tagger, "tag");
            string[] labels = tagger.Description.Head.Labels;
            bool restorer = PunctuationTags.IsRestorer(tagger.Description);
            using ISequenceRunner runner = ModelSource.CreateRunner(tagger, result.GetValue(threads));
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
            foreach (string line in lines)
            {
                if (restorer)
                {
                    string text = PunctuationTags.Strip(line, labels).Text;
                    stdout.WriteLine(PunctuationTags.Restore(text, TaggerEvaluator.Tag(runner, tagger.Tokenizer, text, tagger.Crf), labels));
                    continue;
                }
                stdout.WriteLine(TaggerEvaluator.WordTags(tagger, runner, line));
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
