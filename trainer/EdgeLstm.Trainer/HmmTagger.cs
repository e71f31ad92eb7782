using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Trainer;

/// <summary>
/// A bigram hidden Markov model tagger, the classic baseline: P(tag | previous tag) with add-0.1 smoothing (a
/// sentence boundary state at both ends) and P(word | tag) by relative frequency, decoded by Viterbi. Words seen
/// once in training also count as their word shape (capitalised, number, hyphenated, a common suffix…), and an
/// unknown word is emitted as its shape (a shape no such word had: as any of them), so it is tagged by its spelling and its neighbours. Each word's candidate
/// tags are those it (or its shape) was seen with, which keeps Viterbi fast over the Brown corpus's ~230 tags.
/// </summary>
public sealed class HmmTagger
{
    private const double TransitionSmoothing = 0.1;
    private const string AnyShape = " any";
    private readonly string[] _tags;
    private readonly Dictionary<string, int> _tagIndex;
    private readonly double[,] _logTransition; // [previous + 1, next + 1], index 0 is the boundary
    private readonly Dictionary<string, (int Tag, double LogP)[]> _emissions;

    public HmmTagger(IReadOnlyList<TaggedSentence> train)
    {
        var wordCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in train) foreach (string w in s.Tokens) wordCounts[w] = wordCounts.GetValueOrDefault(w) + 1;
        _tags = train.SelectMany(s => s.Labels).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (_tags.Length == 0) throw new ArgumentException("no training tokens");
        _tagIndex = _tags.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        int n = _tags.Length;
        var transitions = new long[n + 1, n + 1];
        var tagCounts = new long[n];
        var emissionCounts = new Dictionary<string, Dictionary<int, long>>(StringComparer.Ordinal);
        void Emit(string symbol, int tag)
        {
            var byTag = emissionCounts.TryGetValue(symbol, out var d) ? d : emissionCounts[symbol] = [];
            byTag[tag] = byTag.GetValueOrDefault(tag) + 1;
        }
        foreach (var s in train)
        {
            int previous = 0;
            for (int i = 0; i < s.Tokens.Length; i++)
            {
                int tag = _tagIndex[s.Labels[i]];
                transitions[previous, tag + 1]++;
                tagCounts[tag]++;
                Emit(s.Tokens[i], tag);
                if (wordCounts[s.Tokens[i]] == 1)
                {
                    Emit(Shape(s.Tokens[i]), tag); // shapes: a separate "vocabulary" of the rare words
                    Emit(AnyShape, tag);           // for an unknown word of a shape no rare word had
                }
                previous = tag + 1;
            }
            transitions[previous, 0]++;
        }
        _logTransition = new double[n + 1, n + 1];
        for (int a = 0; a <= n; a++)
        {
            long total = 0;
            for (int b = 0; b <= n; b++) total += transitions[a, b];
            for (int b = 0; b <= n; b++) _logTransition[a, b] = Math.Log((transitions[a, b] + TransitionSmoothing) / (total + TransitionSmoothing * (n + 1)));
        }
        // P(symbol | tag): words over the tag's count; shapes over the tag's count too (a shape stands for the unseen words of its kind).
        _emissions = emissionCounts.ToDictionary(e => e.Key,
            e => e.Value.Select(p => (p.Key, Math.Log((double)p.Value / tagCounts[p.Key]))).OrderBy(p => p.Key).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The spelling class an unknown word is emitted as (<see cref="WordShapes"/>), after a space: no token has one, so a shape never meets a word.</summary>
    public static string Shape(string word) => " " + WordShapes.Of(word);

    public bool Knows(string word) => _emissions.ContainsKey(word);

    /// <summary>The most probable tag sequence (Viterbi over each word's candidate tags).</summary>
    public string[] Tag(IReadOnlyList<string> tokens)
    {
        int length = tokens.Count;
        if (length == 0) return [];
        var candidates = new (int Tag, double LogP)[length][];
        for (int i = 0; i < length; i++)
            candidates[i] = _emissions.TryGetValue(tokens[i], out var e) && Knows(tokens[i]) ? e
                : _emissions.TryGetValue(Shape(tokens[i]), out var shape) ? shape
                : _emissions.GetValueOrDefault(AnyShape) ?? [.. Enumerable.Range(0, _tags.Length).Select(t => (t, 0.0))]; // no word was seen once: any tag
        var score = new double[length][];
        var back = new int[length][];
        for (int i = 0; i < length; i++)
        {
            var c = candidates[i];
            score[i] = new double[c.Length];
            back[i] = new int[c.Length];
            for (int k = 0; k < c.Length; k++)
            {
                double best = double.NegativeInfinity;
                int arg = 0;
                if (i == 0) best = _logTransition[0, c[k].Tag + 1];
                else
                    for (int j = 0; j < candidates[i - 1].Length; j++)
                    {
                        double s = score[i - 1][j] + _logTransition[candidates[i - 1][j].Tag + 1, c[k].Tag + 1];
                        if (s > best) (best, arg) = (s, j);
                    }
                score[i][k] = best + c[k].LogP;
                back[i][k] = arg;
            }
        }
        int last = 0;
        double end = double.NegativeInfinity;
        for (int k = 0; k < candidates[length - 1].Length; k++)
        {
            double s = score[length - 1][k] + _logTransition[candidates[length - 1][k].Tag + 1, 0];
            if (s > end) (end, last) = (s, k);
        }
        var tags = new string[length];
        for (int i = length - 1; i >= 0; i--)
        {
            tags[i] = _tags[candidates[i][last].Tag];
            last = back[i][last];
        }
        return tags;
    }
}
