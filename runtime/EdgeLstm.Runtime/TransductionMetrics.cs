namespace EdgeLstm.Runtime;

/// <summary>
/// Word and symbol error rates of a transducer (grapheme-to-phoneme): a word is right when its output equals any of
/// its references (WER counts the others); PER is the edit distance to the nearest reference, summed, over the
/// summed length of those references — as g2p papers count them.
/// </summary>
public sealed class TransductionMetrics
{
    private long _edits, _referenceSymbols;
    private int _words, _wrongWords;

    public void Add(IReadOnlyList<string> output, IReadOnlyList<string[]> references)
    {
        int best = int.MaxValue, bestLength = 0;
        foreach (string[] reference in references)
        {
            int d = EditDistance(output, reference);
            if (d < best || (d == best && reference.Length > bestLength)) (best, bestLength) = (d, reference.Length);
        }
        _edits += best;
        _referenceSymbols += bestLength;
        _words++;
        if (best != 0) _wrongWords++;
    }

    public int Words => _words;
    /// <summary>Word error rate, in percent.</summary>
    public double Wer => 100.0 * _wrongWords / _words;
    /// <summary>Symbol (phoneme) error rate, in percent.</summary>
    public double Per => 100.0 * _edits / _referenceSymbols;

    /// <summary>Levenshtein distance (substitutions, insertions, deletions each cost 1).</summary>
    public static int EditDistance(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int j = 0; j <= b.Count; j++) previous[j] = j;
        for (int i = 1; i <= a.Count; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Count; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }
}
