using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Trainer;

/// <summary>A trained word tagger's accuracy on CoNLL sentences: all tokens, words the training file lacks, and universal tags when the tags are Brown tags.</summary>
public static class WordTaggerReport
{
    public static string Score(ClassifierNetwork network, ITokenizer tokenizer, string[] labels, IReadOnlyList<TaggedSentence> sentences, HashSet<string> known, out double accuracy)
    {
        bool brown = labels.All(l => BrownUniversalTags.Map(l) is not null);
        var metric = new TagAccuracy(brown ? BrownUniversalTags.Map : null);
        int[][] ids = sentences.Select(s => tokenizer.Encode(string.Join(' ', s.Tokens))).ToArray();
        int[][]? affixes = network.Description.Input.Affixes is null ? null
            : sentences.Select(s => TaggerEvaluator.AffixIds(network.Description, tokenizer, string.Join(' ', s.Tokens))).ToArray();
        var characters = network.Description.Input.Characters is { } c ? CharTokenizer.FromVocabulary(c.Vocabulary, "model") : null;
        int[][][]? chars = characters is null ? null
            : sentences.Select(s => CharacterWordEncoder.Ids(characters, ((WordTokenizer)tokenizer).Surface(string.Join(' ', s.Tokens)))).ToArray();
        int[][] predicted = TaggerTrainer.Predict(network, ids, affixes, chars);
        for (int i = 0; i < sentences.Count; i++)
            metric.Add(sentences[i].Labels, Array.ConvertAll(predicted[i], p => labels[p]), Array.ConvertAll(sentences[i].Tokens, w => !known.Contains(w)));
        accuracy = metric.Accuracy;
        return string.Create(CultureInfo.InvariantCulture,
            $"accuracy {TagAccuracy.Percent(metric.Accuracy)}, unknown words {TagAccuracy.Percent(metric.UnknownAccuracy)}{(brown ? $", universal tags {TagAccuracy.Percent(metric.CoarseAccuracy)}" : "")} (float, {metric.Tokens:N0} tokens)");
    }
}
