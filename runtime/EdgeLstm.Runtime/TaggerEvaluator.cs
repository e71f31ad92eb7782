namespace EdgeLstm.Runtime;

/// <summary>Runs a tag model: a label per token of a text, and per-class scores of a punctuation restorer on punctuated lines.</summary>
public static class TaggerEvaluator
{
    /// <summary>
    /// The label of every token of <paramref name="text"/> (a whole-sequence run from a zero state): the most likely
    /// one per token, or with a CRF (<paramref name="crf"/>, the model's <see cref="ILanguageModel.Crf"/>) the best path.
    /// </summary>
    public static int[] Tag(ISequenceRunner runner, ITokenizer tokenizer, string text, Tagging.CrfTransitions? crf)
    {
        int[] ids = tokenizer.Encode(text);
        if (ids.Length == 0) return [];
        int size = runner.Description.Head.Size;
        ReadOnlySpan<float> scores = runner.Run(ids, AffixIds(runner.Description, tokenizer, text));
        if (crf is not null) return crf.Decode(scores[..(ids.Length * size)]);
        var tags = new int[ids.Length];
        for (int t = 0; t < tags.Length; t++) tags[t] = ClassificationMetrics.ArgMax(scores.Slice(t * size, size));
        return tags;
    }

    /// <summary>The affix ids of every word of <paramref name="text"/> for a model with input.affixes (its words as written), else none.</summary>
    public static int[] AffixIds(ModelDescription description, ITokenizer tokenizer, string text) =>
        description.Input.Affixes is { } affixes && tokenizer is WordTokenizer words ? new WordAffixes(affixes).Encode(words.Surface(text)) : [];

    /// <summary>
    /// "token/TAG token/TAG …" for a tagger that is not a punctuation restorer: each token as written (a word outside
    /// the vocabulary shown as it is, not as &lt;unk&gt;), then its label — what `edgelstm tag` and the C ABI print.
    /// </summary>
    public static string WordTags(ILanguageModel model, ISequenceRunner runner, string text)
    {
        int[] tags = Tag(runner, model.Tokenizer, text, model.Crf);
        string[] labels = model.Description.Head.Labels;
        IReadOnlyList<string> tokens = model.Tokenizer is WordTokenizer words ? words.Surface(text)
            : model.Tokenizer.Encode(text).Select(model.Tokenizer.TokenText).ToArray();
        return string.Join(' ', tokens.Select((token, t) => $"{token}/{labels[tags[t]]}"));
    }

    /// <summary>
    /// Strips each punctuated line of the model's marks, tags what is left and scores every character's predicted
    /// mark against the original's (<see cref="PunctuationTags.Strip"/>). <paramref name="runner"/>: one of the model's
    /// runners to use (on two cores, say), else one is made for the call.
    /// </summary>
    public static ClassificationMetrics Evaluate(ILanguageModel model, IReadOnlyList<string> punctuatedLines, IProgress<int>? progress = null, ISequenceRunner? runner = null)
    {
        if (!PunctuationTags.IsRestorer(model.Description))
            throw new ArgumentException($"a '{model.Description.Task}' model with labels {string.Join(", ", model.Description.Head.Labels)} does not restore punctuation");
        string[] labels = model.Description.Head.Labels;
        var truth = new List<int>();
        var predicted = new List<int>();
        using ISequenceRunner? own = runner is null ? model.CreateRunner() : null;
        runner ??= own!;
        for (int i = 0; i < punctuatedLines.Count; i++)
        {
            var (text, tags) = PunctuationTags.Strip(punctuatedLines[i], labels);
            truth.AddRange(tags);
            predicted.AddRange(Tag(runner, model.Tokenizer, text, model.Crf));
            progress?.Report(i + 1);
        }
        return new ClassificationMetrics(labels, truth.ToArray(), predicted.ToArray());
    }
}
