using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Trainer;

/// <summary>
/// `edgelstm-train tag --format conll --baseline-only`: the most-frequent-tag and bigram HMM baselines, trained on
/// the training file and scored on each other file — token accuracy, accuracy on words the training file lacks,
/// and, when every training tag is a Brown tag, accuracy on the universal tags.
/// </summary>
public static class TaggingBaselineReport
{
    public static IEnumerable<string> Run(IReadOnlyList<TaggedSentence> train, IEnumerable<(string Name, IReadOnlyList<TaggedSentence> Sentences)> scored)
    {
        var mft = new MostFrequentTagBaseline(train);
        var hmm = new HmmTagger(train);
        bool brown = train.All(s => s.Labels.All(t => BrownUniversalTags.Map(t) is not null));
        foreach (var (name, sentences) in scored)
        {
            var mftAccuracy = new TagAccuracy(brown ? BrownUniversalTags.Map : null);
            var hmmAccuracy = new TagAccuracy(brown ? BrownUniversalTags.Map : null);
            foreach (var s in sentences)
            {
                bool[] unknown = Array.ConvertAll(s.Tokens, w => !mft.Knows(w));
                mftAccuracy.Add(s.Labels, mft.Tag(s.Tokens), unknown);
                hmmAccuracy.Add(s.Labels, hmm.Tag(s.Tokens), unknown);
            }
            string Line(string what, TagAccuracy a) => string.Create(CultureInfo.InvariantCulture,
                $"{name}: {what}: accuracy {100 * a.Accuracy:F2}%, unknown words {100 * a.UnknownAccuracy:F2}%{(brown ? $", universal tags {100 * a.CoarseAccuracy:F2}%" : "")}");
            yield return Line("most frequent tag", mftAccuracy);
            yield return Line("bigram HMM", hmmAccuracy);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{name}: {mftAccuracy.Tokens:N0} tokens, {mftAccuracy.UnknownTokens:N0} ({100.0 * mftAccuracy.UnknownTokens / mftAccuracy.Tokens:F1}%) of words the training file lacks");
        }
    }
}
