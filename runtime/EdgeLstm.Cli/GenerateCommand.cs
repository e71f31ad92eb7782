using EdgeLstm.Runtime.Sampling;
using EdgeLstm.Runtime.Poetry;

namespace EdgeLstm.Cli;

/// <summary>`edgelstm generate`: feeds a prompt and streams sampled characters to stdout as they are produced.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var prompt = new Option<string>("--prompt", "-p") { Description = "Text to start from (every character must be in the model's vocabulary)", DefaultValueFactory = _ => "The whale" };
        var maxChars = new Option<int>("--max-chars", "-n") { Description = "Tokens to generate: characters, or words for a word model", DefaultValueFactory = _ => 300 };
        var temperature = new Option<float>("--temperature", "-t") { Description = "Softmax temperature; 0 is greedy", DefaultValueFactory = _ => 0.8f };
        var topK = new Option<int>("--top-k") { Description = "Sample only from the k most likely characters (0 = all)", DefaultValueFactory = _ => 0 };
        var topP = new Option<float>("--top-p") { Description = "Sample only from the most likely characters holding this probability mass (1 = all)", DefaultValueFactory = _ => 1f };
        var seed = new Option<ulong>("--seed", "-s") { Description = "Random seed; the same seed gives the same text", DefaultValueFactory = _ => 42UL };
        var stop = new Option<string?>("--stop") { Description = "Stop once the generated text ends with this string" };
        var noPrompt = new Option<bool>("--no-echo") { Description = "Do not print the prompt before the generated text" };
        var threads = ModelSource.CreateThreadsOption();
        var form = new Option<string?>("--form") { Description = "Poetry models: write one poem in this form (jueju5, jueju7, lushi5, lushi7): line lengths and ，。 enforced, one couplet per line" };

        var command = new Command("generate", "Generate text from a prompt, streaming characters as they are produced")
        {
            model, prompt, maxChars, temperature, topK, topP, seed, stop, noPrompt, threads, form,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            var options = new SamplingOptions(result.GetValue(temperature), result.GetValue(topK), result.GetValue(topP), result.GetValue(seed));
            options.Validate();
            int count = result.GetValue(maxChars);
            if (count < 0) throw new ArgumentException($"--max-chars must be ≥ 0, got {count}");
            using var source = ModelSource.Load(result.GetValue(model));
            var loaded = source.Require(ModelTask.LanguageModel, "generate");
            string text = result.GetValue(prompt)!;
            // Arguments are decoded with U+FFFD for invalid bytes; the model would only call it an unknown character.
            if (text.Contains('\uFFFD')) throw new ArgumentException($"--prompt is not valid UTF-8 (it decodes to U+FFFD at character {text.IndexOf('\uFFFD')})");
            using var session = ModelSource.CreateSession(loaded, result.GetValue(threads));
            if (result.GetValue(form) is { } formName)
                return WritePoem(session, PoemForm.Parse(formName), result.GetResult(prompt) is { Implicit: false } ? text : "", options);
            var characters = TextGenerator.Generate(session, text, options, count, result.GetValue(stop));
            using var stdout = Console.OpenStandardOutput();
            using var writer = new StreamWriter(stdout, new System.Text.UTF8Encoding(false)) { AutoFlush = true };
            if (!result.GetValue(noPrompt)) writer.Write(text);
            foreach (string c in characters) writer.Write(c);
            writer.WriteLine();
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>One poem in the form, a couplet (two lines, up to the full stop) per output line.</summary>
    private static int WritePoem(ILanguageModelSession session, PoemForm form, string prompt, SamplingOptions options)
    {
        string poem = new PoemGenerator(session).Generate(prompt, form, new TokenSampler(options));
        using var writer = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false));
        foreach (string couplet in poem.Split(PoemForm.FullStop, StringSplitOptions.RemoveEmptyEntries))
            writer.WriteLine(couplet + PoemForm.FullStop);
        return ExitCodes.Success;
    }
}
