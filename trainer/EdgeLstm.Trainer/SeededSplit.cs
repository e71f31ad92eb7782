namespace EdgeLstm.Trainer;

/// <summary>
/// Folds for labelled texts whose file has no fold column: a seeded shuffle within each label (so every split keeps
/// the labels' proportions), then the first share of each label to "test", the next to "valid", the rest to "train" —
/// or, for cross-validation, label by label round the folds "0" … "k−1". The same file and seed give the same split.
/// </summary>
public static class SeededSplit
{
    public const double DefaultValidFraction = 0.1, DefaultTestFraction = 0.1;
    public const int DefaultFolds = 10;

    /// <summary>True when no text has a fold (the file has no fold column).</summary>
    public static bool Needed(IReadOnlyList<LabeledText> rows) => rows.All(r => r.Fold.Length == 0);

    /// <summary>The rows with folds "train", "valid" and "test".</summary>
    public static List<LabeledText> TrainValidTest(IReadOnlyList<LabeledText> rows, double validFraction, double testFraction, int seed)
    {
        if (validFraction <= 0 || testFraction <= 0 || validFraction + testFraction >= 1)
            throw new ArgumentException($"--valid-fraction {validFraction} and --test-fraction {testFraction}: each must be > 0 and together < 1");
        var result = new List<LabeledText>(rows.Count);
        foreach (var (label, shuffled) in ShuffledByLabel(rows, seed))
        {
            int test = (int)Math.Round(testFraction * shuffled.Count), valid = (int)Math.Round(validFraction * shuffled.Count);
            for (int i = 0; i < shuffled.Count; i++)
                result.Add(shuffled[i] with { Fold = i < test ? "test" : i < test + valid ? "valid" : "train" });
        }
        return result;
    }

    /// <summary>The rows with folds "0" … "folds − 1", each label dealt round them in its shuffled order.</summary>
    public static List<LabeledText> Folds(IReadOnlyList<LabeledText> rows, int folds, int seed)
    {
        var result = new List<LabeledText>(rows.Count);
        int next = 0;
        foreach (var (_, shuffled) in ShuffledByLabel(rows, seed))
            foreach (LabeledText row in shuffled)
                result.Add(row with { Fold = (next++ % folds).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return result;
    }

    private static IEnumerable<(string Label, List<LabeledText> Rows)> ShuffledByLabel(IReadOnlyList<LabeledText> rows, int seed)
    {
        var random = new Random(seed);
        foreach (string label in rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal))
        {
            LabeledText[] ofLabel = rows.Where(r => r.Label == label).ToArray();
            random.Shuffle(ofLabel);
            yield return (label, ofLabel.ToList());
        }
    }
}
