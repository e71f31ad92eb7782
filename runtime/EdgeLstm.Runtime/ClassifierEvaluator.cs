namespace EdgeLstm.Runtime;

/// <summary>Runs a classifier over labelled texts: accuracy, F1 and the confusion matrix (<see cref="ClassificationMetrics"/>).</summary>
public static class ClassifierEvaluator
{
    /// <summary>
    /// Each text is encoded by the model's tokenizer, cut to the description's <c>input.max_steps</c> as in
    /// training, and classified from a zero state. Labels must be the model's. <paramref name="runner"/>: one of the
    /// model's runners to use (on two cores, say), else one is made for the call.
    /// </summary>
    public static ClassificationMetrics Evaluate(ILanguageModel model, IReadOnlyList<LabeledText> rows, IProgress<int>? progress = null, ISequenceRunner? runner = null)
    {
        HeadDescription head = model.Description.Head;
        if (model.Description.Kind != ModelTask.Classifier) throw new ArgumentException($"a '{model.Description.Task}' model does not classify texts");
        var truth = new int[rows.Count];
        var predicted = new int[rows.Count];
        using ISequenceRunner? own = runner is null ? model.CreateRunner() : null;
        runner ??= own!;
        for (int i = 0; i < rows.Count; i++)
        {
            truth[i] = Array.IndexOf(head.Labels, rows[i].Label);
            if (truth[i] < 0) throw new ArgumentException($"label '{rows[i].Label}' of text {i + 1} is not one of the model's: {string.Join(", ", head.Labels)}");
            predicted[i] = ClassificationMetrics.ArgMax(runner.Run(Tokens(model.Tokenizer, rows[i].Text, model.Description.Input.MaxSteps ?? 0)));
            progress?.Report(i + 1);
        }
        return new ClassificationMetrics(head.Labels, truth, predicted);
    }

    /// <summary>A text's token ids as a classifier takes them: at least one (an empty text is one unknown token), at most <paramref name="maxTokens"/> (0 = all).</summary>
    public static int[] Tokens(ITokenizer tokenizer, string text, int maxTokens = 0)
    {
        int[] ids = tokenizer.Encode(text);
        if (ids.Length == 0) return [tokenizer.UnknownId];
        return maxTokens > 0 && ids.Length > maxTokens ? ids[..maxTokens] : ids;
    }
}
