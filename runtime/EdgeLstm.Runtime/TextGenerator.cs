using EdgeLstm.Runtime.Sampling;

namespace EdgeLstm.Runtime;

/// <summary>Feeds a prompt into a session and then samples tokens (characters or words) one at a time.</summary>
public static class TextGenerator
{
    /// <summary>
    /// Yields each generated character as it is produced. Stops after <paramref name="maxChars"/> characters,
    /// or once the text generated so far ends with <paramref name="stop"/> (which is yielded too).
    /// </summary>
    public static IEnumerable<string> Generate(ILanguageModelSession session, string prompt, SamplingOptions options, int maxChars, string? stop = null)
    {
        if (prompt.Length == 0) throw new ArgumentException("--prompt must not be empty: the model needs at least one character to start from");
        if (maxChars < 0) throw new ArgumentException($"--max-chars must be ≥ 0, got {maxChars}");
        var sampler = new TokenSampler(options);
        int[] promptIds = session.Tokenizer.EncodeStrict(prompt, "--prompt");
        return Run(session, promptIds, sampler, maxChars, string.IsNullOrEmpty(stop) ? null : stop);
    }

    private static IEnumerable<string> Run(ILanguageModelSession session, int[] promptIds, TokenSampler sampler, int maxChars, string? stop)
    {
        session.Prefill(promptIds);
        var generated = new StringBuilder();
        for (int n = 0; n < maxChars; n++)
        {
            int next = sampler.Sample(session.Logits);
            string text = session.Tokenizer.Continuation(next);
            yield return text;
            generated.Append(text);
            if (stop is not null && generated.Length >= stop.Length && generated.ToString(generated.Length - stop.Length, stop.Length) == stop)
                yield break;
            session.Step(next);
        }
    }
}
