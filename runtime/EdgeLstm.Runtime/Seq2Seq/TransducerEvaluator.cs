namespace EdgeLstm.Runtime;

/// <summary>A grapheme-to-phoneme model's word and phoneme error rates on lexicon words (references without stress unless the model predicts it).</summary>
public static class TransducerEvaluator
{
    /// <summary>Each word decoded with a beam of <paramref name="beam"/>; <paramref name="transducer"/>: one of the model's to use (its encoder on two cores, say), else one is made for the call.</summary>
    public static TransductionMetrics Evaluate(ILanguageModel model, IReadOnlyList<LexiconWord> words, int beam, ITransducer? transducer = null)
    {
        ModelDescription d = model.Description;
        if (d.Kind != ModelTask.Transducer) throw new ArgumentException($"a '{d.Task}' model does not transduce sequences");
        bool stress = TransducerText.HasStress(d);
        var metrics = new TransductionMetrics();
        using ITransducer? own = transducer is null ? model.CreateTransducer() : null;
        transducer ??= own!;
        var output = new int[d.Head.Decoder!.MaxSteps];
        foreach (var w in words)
        {
            int n = transducer.Transduce(TransducerText.Encode(model.Tokenizer, w.Word), beam, output);
            var symbols = new string[n];
            for (int i = 0; i < n; i++) symbols[i] = d.Head.Labels[output[i]];
            metrics.Add(symbols, w.Pronunciations.Select(p => stress ? p : p.Select(PronunciationLexicon.WithoutStress).ToArray()).ToArray());
        }
        return metrics;
    }
}
