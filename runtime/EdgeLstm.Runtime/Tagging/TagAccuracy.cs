namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// Token accuracy of a tagger over sentences, overall and on the tokens whose word the training data lacks
/// (unknown words), optionally also after mapping both tag sequences to a coarser tag set (Brown → universal).
/// </summary>
public sealed class TagAccuracy(Func<string, string?>? coarse = null)
{
    private long _tokens, _correct, _unknown, _unknownCorrect, _coarseCorrect;

    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted, IReadOnlyList<bool> unknown)
    {
        if (gold.Count != predicted.Count || gold.Count != unknown.Count)
            throw new ArgumentException($"a sentence of {gold.Count} gold tags has {predicted.Count} predicted tags and {unknown.Count} known/unknown flags");
        for (int i = 0; i < gold.Count; i++)
        {
            bool right = gold[i] == predicted[i];
            _tokens++;
            if (right) _correct++;
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

    public double CoarseAccuracy => coarse is null || _tokens == 0 ? double.NaN : (double)_coarseCorrect / _tokens;
}
