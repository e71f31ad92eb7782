namespace EdgeLstm.Cli;

/// <summary>`edgelstm g2p`: the pronunciation of each word (arguments, or the lines of a file) with a grapheme-to-phoneme model.</summary>
internal static class G2pCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var threads = ModelSource.CreateRunnerThreadsOption();
        var words = new Argument<string[]>("word") { Description = "Words to pronounce (or use --input)", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<FileInfo>("--input", "-i") { Description = "A UTF-8 file: each non-empty line is one word" };
        var beam = new Option<int>("--beam") { Description = $"Beam width: 1 is greedy, up to {BeamSearchTransducer.DefaultMaxBeam}", DefaultValueFactory = _ => 5 };
        var command = new Command("g2p", "Pronounce words with a grapheme-to-phoneme model: prints word and phonemes, one line each (tab-separated)")
        {
            model, words, input, beam, threads,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            var lines = new List<string>(result.GetValue(words) ?? []);
            if (result.GetValue(input) is { } file)
            {
                if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such file", file.FullName);
                lines.AddRange(StrictUtf8.ReadFile(file.FullName).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
            }
            if (lines.Count == 0) throw new ArgumentException("nothing to pronounce: pass words as arguments or --input FILE");
            int width = result.GetValue(beam);
            if (width is < 1 or > BeamSearchTransducer.DefaultMaxBeam) throw new ArgumentException($"--beam must be 1..{BeamSearchTransducer.DefaultMaxBeam}, got {width}");
            using var source = ModelSource.Load(result.GetValue(model));
            ILanguageModel g2p = source.Require(ModelTask.Transducer, "g2p");
            // Every word is checked before any is pronounced, so a bad one costs no partial output.
            int[][] encoded = lines.Select(w => TransducerText.Encode(g2p.Tokenizer, w)).ToArray();
            using ITransducer transducer = ModelSource.CreateTransducer(g2p, result.GetValue(threads));
            var output = new int[g2p.Description.Head.Decoder!.MaxSteps];
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
            for (int i = 0; i < lines.Count; i++)
            {
                int n = transducer.Transduce(encoded[i], width, output);
                stdout.WriteLine($"{lines[i]}\t{TransducerText.Symbols(g2p.Description, output.AsSpan(0, n))}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
