namespace EdgeLstm.Runtime.Inspection;

/// <summary>One text through a classifier or a tagger: its tokens as shown, the label probabilities, and each token's part.</summary>
public sealed class TokenDecisions
{
    public required TokenLayout Layout { get; init; }
    public required string[] Labels { get; init; }
    /// <summary>A classifier's probability of each label for the whole text; a tagger's per token ([token × label]).</summary>
    public required float[] Probabilities { get; init; }
    /// <summary>A classifier's most likely label; −1 for a tagger.</summary>
    public int Predicted { get; init; } = -1;
    /// <summary>A tagger's label of each token as `tag` decides it (the CRF's best path, or each token's most likely label); null for a classifier.</summary>
    public int[]? Tags { get; init; }
    /// <summary>A tagger that restores punctuation (label 0 "none" means no mark); word taggers show every label.</summary>
    public bool IsRestorer { get; init; }
    /// <summary>
    /// A classifier's, per token: the probability of <see cref="Predicted"/> for the whole text minus that for the
    /// text without the token (positive: the token speaks for the decision). Null for a tagger.
    /// </summary>
    public float[]? Contribution { get; init; }
    /// <summary>An attention-pooled classifier's weight on each token (float models); null otherwise.</summary>
    public float[]? Attention { get; init; }

    /// <summary>
    /// Runs <paramref name="text"/> through a classify or tag model from a zero state (a classifier's tokens cut to its
    /// <c>input.max_steps</c>, as in training): for a classifier also once per token with that token left out.
    /// </summary>
    public static TokenDecisions Run(ILanguageModel model, string text, int maxTokens)
    {
        HeadDescription head = model.Description.Head;
        ModelTask task = model.Description.Kind;
        if (task is not (ModelTask.Classifier or ModelTask.Tagger) || !model.HasEmbedding)
            throw new ArgumentException($"token decisions are for text classifiers and taggers; this is a '{model.Description.Task}' model");
        int limit = task == ModelTask.Classifier && model.Description.Input.MaxSteps is int most ? Math.Min(most, maxTokens) : maxTokens;
        int[] ids = ClassifierEvaluator.Tokens(model.Tokenizer, text, limit);
        TokenLayout layout = TokenLayout.Of(model.Tokenizer, text, ids);
        int labels = head.Size;
        using ISequenceRunner runner = model.CreateRunner();
        if (task == ModelTask.Tagger)
        {
            int[] affixes = TaggerEvaluator.AffixIds(model.Description, model.Tokenizer, text);
            ReadOnlySpan<float> scores = runner.Run(ids, affixes.AsSpan(0, Math.Min(affixes.Length, ids.Length * (model.Description.Input.Affixes?.PerWord ?? 0))));
            var probabilities = new float[ids.Length * labels];
            var tags = new int[ids.Length];
            for (int t = 0; t < ids.Length; t++)
            {
                StableSoftmax.Compute(scores.Slice(t * labels, labels), probabilities.AsSpan(t * labels, labels));
                tags[t] = ClassificationMetrics.ArgMax(scores.Slice(t * labels, labels));
            }
            if (model.Crf is { } crf) tags = crf.Decode(scores[..(ids.Length * labels)]);
            return new TokenDecisions
            {
                Layout = layout, Labels = head.Labels, Probabilities = probabilities, Tags = tags, IsRestorer = PunctuationTags.IsRestorer(model.Description),
            };
        }
        var whole = new float[labels];
        StableSoftmax.Compute(runner.Run(ids), whole);
        int predicted = ClassificationMetrics.ArgMax(whole);
        var contribution = new float[ids.Length];
        var without = new int[Math.Max(1, ids.Length - 1)];
        var p = new float[labels];
        for (int t = 0; t < ids.Length && ids.Length > 1; t++)
        {
            ids.AsSpan(0, t).CopyTo(without);
            ids.AsSpan(t + 1).CopyTo(without.AsSpan(t));
            StableSoftmax.Compute(runner.Run(without), p);
            contribution[t] = whole[predicted] - p[predicted];
        }
        float[]? attention = model is Float.FloatLstmModel f && head.Pooling == Poolings.Attention ? EncoderOutputs.AttentionWeights(f, ids) : null;
        return new TokenDecisions { Layout = layout, Labels = head.Labels, Probabilities = whole, Predicted = predicted, Contribution = contribution, Attention = attention };
    }
}
