namespace EdgeLstm.Trainer;

/// <summary>
/// `classify --fold-vectors`: word vectors trained afresh for each split, on unlabelled text plus that split's
/// training texts — never its validation or test texts — so a task's own words ("delicious", "movie") get vectors
/// without any scored text leaking into them. The classifier's embedding then starts from them as with
/// --init-embedding.
/// </summary>
public static class FoldVectors
{
    /// <summary>The texts the vectors learn from: the unlabelled lines, then the split's training texts.</summary>
    public static List<string> Texts(IReadOnlyList<string> unlabelled, IReadOnlyList<LabeledText> train)
    {
        var texts = new List<string>(unlabelled.Count + train.Count);
        texts.AddRange(unlabelled);
        foreach (var row in train) texts.Add(row.Text);
        return texts;
    }

    /// <summary>
    /// <paramref name="options"/> with its embedding to start from trained on <see cref="Texts"/> (skip-gram with
    /// word2vec's defaults, the classifier's dimension, seed and threads); unchanged without --fold-vectors.
    /// </summary>
    public static ClassifierOptions Apply(ClassifierOptions options, IReadOnlyList<LabeledText> train, Action<string>? log)
    {
        if (options.FoldVectorsText is null) return options;
        var skipGram = new SkipGramOptions
        {
            Dimension = options.EmbeddingDim, Epochs = options.FoldVectorsEpochs, Threads = options.Threads, Seed = options.Seed, Quiet = true,
        };
        skipGram.Validate();
        var trained = new SkipGramTrainer(skipGram).Train(Texts(options.FoldVectorsText, train));
        log?.Invoke($"fold vectors: {trained.Vectors.Count:N0} words from {options.FoldVectorsText.Count:N0} unlabelled and {train.Count:N0} training texts, " +
            $"skip-gram loss {trained.EpochLoss[0]:F3} → {trained.EpochLoss[^1]:F3}");
        return options with { InitEmbedding = trained.Vectors, FoldVectorsText = null };
    }
}
