namespace EdgeLstm.Trainer;

/// <summary>
/// The baseline a punctuation restorer must beat: each character gets the mark that most often follows it in the
/// training text (ties: the lower label; unseen characters: none). Scored like the model, per character.
/// </summary>
public sealed class PunctuationBaseline
{
    private readonly Dictionary<string, int> _mark = new(StringComparer.Ordinal);

    public PunctuationBaseline(IEnumerable<string> trainLines, string[] labels)
    {
        var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (string line in trainLines)
        {
            var (text, tags) = PunctuationTags.Strip(line, labels);
            int t = 0;
            foreach (var rune in text.EnumerateRunes())
            {
                string c = rune.ToString();
                if (!counts.TryGetValue(c, out int[]? n)) counts[c] = n = new int[labels.Length];
                n[tags[t++]]++;
            }
        }
        foreach (var (c, n) in counts)
        {
            int best = 0;
            for (int k = 1; k < n.Length; k++) if (n[k] > n[best]) best = k;
            _mark[c] = best;
        }
    }

    public ClassificationMetrics Evaluate(IEnumerable<string> lines, string[] labels)
    {
        var truth = new List<int>();
        var predicted = new List<int>();
        foreach (string line in lines)
        {
            var (text, tags) = PunctuationTags.Strip(line, labels);
            truth.AddRange(tags);
            foreach (var rune in text.EnumerateRunes()) predicted.Add(_mark.GetValueOrDefault(rune.ToString()));
        }
        return new ClassificationMetrics(labels, truth.ToArray(), predicted.ToArray());
    }
}
