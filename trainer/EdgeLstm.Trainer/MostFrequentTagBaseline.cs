using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Trainer;

/// <summary>
/// The simplest tagging baseline: each word gets the tag it had most often in training (ties: the tag more
/// frequent overall); a word training never saw gets the most frequent tag overall.
/// </summary>
public sealed class MostFrequentTagBaseline
{
    private readonly Dictionary<string, string> _byWord;

    public MostFrequentTagBaseline(IEnumerable<TaggedSentence> train)
    {
        var counts = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var overall = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var sentence in train)
            for (int i = 0; i < sentence.Tokens.Length; i++)
            {
                var tags = counts.TryGetValue(sentence.Tokens[i], out var t) ? t : counts[sentence.Tokens[i]] = new(StringComparer.Ordinal);
                tags[sentence.Labels[i]] = tags.GetValueOrDefault(sentence.Labels[i]) + 1;
                overall[sentence.Labels[i]] = overall.GetValueOrDefault(sentence.Labels[i]) + 1;
            }
        if (overall.Count == 0) throw new ArgumentException("no training tokens");
        DefaultTag = overall.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
        _byWord = counts.ToDictionary(w => w.Key,
            w => w.Value.OrderByDescending(p => p.Value).ThenByDescending(p => overall[p.Key]).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key, StringComparer.Ordinal);
    }

    /// <summary>The most frequent tag overall, given to unknown words.</summary>
    public string DefaultTag { get; }

    public bool Knows(string word) => _byWord.ContainsKey(word);

    public string[] Tag(IReadOnlyList<string> tokens) => tokens.Select(w => _byWord.GetValueOrDefault(w, DefaultTag)).ToArray();
}
