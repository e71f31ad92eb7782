namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// Entity-level precision, recall and F1 over BIO / BIOES tags, as conlleval counts them: a span is a type with its
/// first and last token, and a predicted span is right only if a gold span has the same type and both boundaries.
/// A span starts at B- or S-, or at an I-/E- whose type differs from the open span's (or with none open), and ends
/// before O, B-, S-, a change of type, or after E-/S-. Word segmentation's untyped B, M, E, S tags read as
/// B-, I-, E-, S- of the type "word", so their F1 is word F1 (a word right only with both of its boundaries).
/// </summary>
public sealed class SpanF1
{
    private readonly Dictionary<string, (long Gold, long Predicted, long Correct)> _byType = new(StringComparer.Ordinal);

    /// <summary>True when every label is O or a B-, I-, E- or S- prefix with a type, or every label one of B, M, E, S: a span tag set.</summary>
    public static bool IsSpanTagSet(IEnumerable<string> labels) =>
        labels.All(l => l == "O" || (l.Length > 2 && l[1] == '-' && l[0] is 'B' or 'I' or 'E' or 'S')) || labels.All(l => l is "B" or "M" or "E" or "S");

    public const string WordType = "word";

    private static string Typed(string tag) => tag switch
    {
        "B" => "B-" + WordType,
        "M" => "I-" + WordType,
        "E" => "E-" + WordType,
        "S" => "S-" + WordType,
        _ => tag,
    };

    /// <summary>The spans of a tag sequence: (type, first token, last token).</summary>
    public static List<(string Type, int Start, int End)> Spans(IReadOnlyList<string> tags)
    {
        var spans = new List<(string, int, int)>();
        string? type = null;
        int start = 0;
        for (int i = 0; i <= tags.Count; i++)
        {
            string tag = i < tags.Count ? Typed(tags[i]) : "O";
            char prefix = tag == "O" ? 'O' : tag[0];
            string? tagType = tag == "O" ? null : tag[2..];
            bool begins = prefix is 'B' or 'S' || (prefix is 'I' or 'E' && tagType != type);
            if (type is not null && (prefix == 'O' || begins))
            {
                spans.Add((type, start, i - 1));
                type = null;
            }
            if (begins)
            {
                type = tagType;
                start = i;
            }
            if (type is not null && prefix is 'E' or 'S')
            {
                spans.Add((type, start, i));
                type = null;
            }
        }
        return spans;
    }

    public void Add(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        var goldSpans = Spans(gold);
        var predictedSpans = Spans(predicted);
        var goldSet = new HashSet<(string, int, int)>(goldSpans);
        foreach (var (type, _, _) in goldSpans) Count(type, gold: 1);
        foreach (var span in predictedSpans) Count(span.Type, predicted: 1, correct: goldSet.Contains(span) ? 1 : 0);
    }

    private void Count(string type, int gold = 0, int predicted = 0, int correct = 0)
    {
        var c = _byType.GetValueOrDefault(type);
        _byType[type] = (c.Gold + gold, c.Predicted + predicted, c.Correct + correct);
    }

    public IReadOnlyCollection<string> Types => _byType.Keys;

    /// <summary>Precision, recall and F1 of one type, or of all spans when <paramref name="type"/> is null.</summary>
    public (double Precision, double Recall, double F1, long Gold) Score(string? type = null)
    {
        var (g, p, c) = type is null
            ? _byType.Values.Aggregate((0L, 0L, 0L), (a, v) => (a.Item1 + v.Gold, a.Item2 + v.Predicted, a.Item3 + v.Correct))
            : _byType.GetValueOrDefault(type);
        double precision = p == 0 ? 0 : (double)c / p, recall = g == 0 ? 0 : (double)c / g;
        return (precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall), g);
    }
}
