namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// Token accuracy of a tagger over sentences, overall and on the tokens whose word the training data lacks
/// (unknown words), optionally also after mapping both tag sequences to a coarser tag set (Brown → universal); and
/// per gold label and per (gold, predicted) confusion, for the most frequent errors.
/// </summary>
public sealed class TagAccuracy(Func<string, string?>? coarse = null)
{
    private long _tokens, _correct, _unknown, _unknownCorrect, _coarseCorrect;
    private readonly Dictionary<string, (long Tokens, long Correct)> _byLabel = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Gold, string Predicted), long> _errors = [];

    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted, IReadOnlyList<bool> unknown)
    {
        if (gold.Count != predicted.Count || gold.Count != unknown.Count)
            throw new ArgumentException($"a sentence of {gold.Count} gold tags has {predicted.Count} predicted tags and {unknown.Count} known/unknown flags");
        for (int i = 0; i < gold.Count; i++)
        {
            bool right = gold[i] == predicted[i];
            _tokens++;
            if (right) _correct++;
            var label = _byLabel.GetValueOrDefault(gold[i]);
            _byLabel[gold[i]] = (label.Tokens + 1, label.Correct + (right ? 1 : 0));
            if (!right) _errors[(gold[i], predicted[i])] = _errors.GetValueOrDefault((gold[i], predicted[i])) + 1;
            if (unknown[i])
            {
                _unknown++;
                if (right) _unknownCorrect++;
            }
            if (coarse is not null)
            {
                string g = coarse(gold[i]) ?? throw new ArgumentException($"gold tag '{gold[i]}' has no coarse tag");
                if (g == coarse(predicted[i])) _coarseCorrect++;
            }
        }
    }

    public long Tokens => _tokens;
    public long UnknownTokens => _unknown;
    public double Accuracy => _tokens == 0 ? double.NaN : (double)_correct / _tokens;
    public double UnknownAccuracy => _unknown == 0 ? double.NaN : (double)_unknownCorrect / _unknown;
    /// <summary>A share as "97.22%", or "n/a" when there was nothing to count (no unknown words, say).</summary>
    public static string Percent(double share) => double.IsNaN(share) ? "n/a" : (100 * share).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary>The <paramref name="count"/> most frequent gold labels: tokens and accuracy of each.</summary>
    public IEnumerable<(string Label, long Tokens, double Accuracy)> MostFrequentLabels(int count) => _byLabel
        .OrderByDescending(p => p.Value.Tokens).ThenBy(p => p.Key, StringComparer.Ordinal).Take(count)
        .Select(p => (p.Key, p.Value.Tokens, (double)p.Value.Correct / p.Value.Tokens));

    /// <summary>The <paramref name="count"/> most frequent errors: true label, predicted label, tokens.</summary>
    public IEnumerable<(string Gold, string Predicted, long Tokens)> MostFrequentErrors(int count) => _errors
        .OrderByDescending(p => p.Value).ThenBy(p => p.Key.Gold, StringComparer.Ordinal).ThenBy(p => p.Key.Predicted, StringComparer.Ordinal).Take(count)
        .Select(p => (p.Key.Gold, p.Key.Predicted, p.Value));

    public double CoarseAccuracy => coarse is null || _tokens == 0 ? double.NaN : (double)_coarseCorrect / _tokens;
}
