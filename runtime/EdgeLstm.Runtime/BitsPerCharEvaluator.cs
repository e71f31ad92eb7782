namespace EdgeLstm.Runtime;

/// <summary>
/// Bits per character of a text under the model, read as one stream from a zero state: the mean of
/// −log2 p(token[t+1] | token[0..t]) over t = 0..n−2. The first character is fed but not scored. Characters
/// outside the vocabulary are scored as the unknown token.
/// </summary>
public static class BitsPerCharEvaluator
{
    public static double Evaluate(ILanguageModel model, ReadOnlySpan<int> tokens, IProgress<int>? progress = null) =>
        Evaluate(model.CreateSession(), tokens, progress);

    public static double Evaluate(ILanguageModelSession session, ReadOnlySpan<int> tokens, IProgress<int>? progress = null)
    {
        if (tokens.Length < 2) throw new ArgumentException("the text must have at least two characters to score");
        double totalNats = 0;
        for (int t = 0; t + 1 < tokens.Length; t++)
        {
            ReadOnlySpan<float> logits = session.Step(tokens[t]);
            totalNats += NegativeLogSoftmax(logits, tokens[t + 1]);
            if (progress is not null && (t & 1023) == 1023) progress.Report(t + 1);
        }
        return totalNats / (tokens.Length - 1) / Math.Log(2);
    }

    /// <summary>−log softmax(logits)[target] in double precision.</summary>
    public static double NegativeLogSoftmax(ReadOnlySpan<float> logits, int target)
    {
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in logits) sum += Math.Exp(v - max);
        return Math.Log(sum) + max - logits[target];
    }
}
