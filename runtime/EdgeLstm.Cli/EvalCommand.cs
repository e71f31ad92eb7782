using EdgeLstm.Runtime;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeLstm.Runtime.Float;

namespace EdgeLstm.Cli;

/// <summary>`edgelstm eval`: bits per character of the model on a UTF-8 text file.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var text = new Argument<FileInfo>("text") { Description = "UTF-8 text file to score" };
        var maxChars = new Option<int>("--max-chars") { Description = "Score only the first N characters (0 = all)", DefaultValueFactory = _ => 0 };
        var threads = ModelSource.CreateThreadsOption();
        var command = new Command("eval", "Measure bits per character on a text (one stream from a zero state; the first character is not scored)")
        {
            model, text, maxChars, threads,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            FileInfo file = result.GetValue(text)!;
            int limit = result.GetValue(maxChars);
            if (limit < 0) throw new ArgumentException($"--max-chars must be ≥ 0, got {limit}");
            if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such file", file.FullName);
            using var source = ModelSource.Load(result.GetValue(model));
            var loaded = source.RequireText("eval");
            string name = source.Name;
            int[] tokens = loaded.Tokenizer.Encode(StrictUtf8.ReadFile(file.FullName));
            if (limit > 0 && tokens.Length > limit) tokens = tokens[..limit];
            if (tokens.Length < 2) throw new ArgumentException($"{file.FullName}: needs at least two characters to score");
            int unknown = 0;
            foreach (int t in tokens) if (t == 0) unknown++;

            var clock = Stopwatch.StartNew();
            var progress = Console.IsErrorRedirected ? null : new TerminalProgress(tokens.Length);
            using var session = ModelSource.CreateSession(loaded, result.GetValue(threads));
            double bpc = BitsPerCharEvaluator.Evaluate(session, tokens, progress);
            progress?.Clear();
            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{bpc:F4} bits/char on {tokens.Length:N0} characters of {file.Name} ({unknown} unknown), {seconds:F1} s, {1e6 * seconds / tokens.Length:F0} µs/char, model {name}"));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A one-line counter on stderr, only when stderr is a terminal.</summary>
    private sealed class TerminalProgress(int total) : IProgress<int>
    {
        public void Report(int done) => Console.Error.Write($"\r{done:N0}/{total:N0} characters scored");
        public void Clear() => Console.Error.Write("\r\e[K");
    }
}
