namespace EdgeLstm.Runtime.Tagging;

/// <summary>
/// Runs a word tagger over CoNLL sentences: token accuracy (on words outside the model's vocabulary too, and on
/// universal tags when the labels are Brown tags) and, for BIO/BIOES labels, span F1 — what `edgelstm eval` prints
/// and `convert --valid` scores.
/// </summary>
public static class WordTaggerEvaluator
{
    public static (TagAccuracy Accuracy, SpanF1? Spans) Evaluate(ILanguageModel model, IReadOnlyList<TaggedSentence> sentences, string source, ISequenceRunner? runner = null)
    {
        string[] labels = model.Description.Head.Labels;
        bool brown = labels.All(l => BrownUniversalTags.Map(l) is not null);
        var accuracy = new TagAccuracy(brown ? BrownUniversalTags.Map : null);
        SpanF1? spans = SpanF1.IsSpanTagSet(labels) ? new SpanF1() : null;
        using ISequenceRunner? own = runner is null ? model.CreateRunner() : null;
        runner ??= own!;
        foreach (var sentence in sentences)
        {
            string text = string.Join(' ', sentence.Tokens);
            int[] ids = model.Tokenizer.Encode(text);
            if (ids.Length != sentence.Tokens.Length)
                throw new ArgumentException($"{source}: the model's tokenizer reads {ids.Length} tokens from a sentence of {sentence.Tokens.Length} ('{text}'); a word tagger for CoNLL files splits at white space");
            string[] predicted = Array.ConvertAll(TaggerEvaluator.Tag(runner, model.Tokenizer, text, model.Crf), t => labels[t]);
            accuracy.Add(sentence.Labels, predicted, Array.ConvertAll(ids, id => model.Tokenizer is WordTokenizer w ? w.IsOutOfVocabulary(id) : id == model.Tokenizer.UnknownId));
            spans?.Add(sentence.Labels, predicted);
        }
        return (accuracy, spans);
    }
}
