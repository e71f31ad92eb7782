namespace EdgeLstm.Trainer;

/// <summary>
/// Starts a word model's embedding from word vectors (`--init-embedding`): each vocabulary word that has a vector
/// gets it as its row; &lt;pad&gt;, &lt;unk&gt; and words without a vector keep their random start. Optionally the
/// vocabulary first takes the vectors' words too, and the embedding is frozen.
/// </summary>
public static class EmbeddingInitialization
{
    /// <summary>The tokenizer's words, then the vectors' words it lacks in the vectors' order, up to <paramref name="maxSize"/> entries in all.</summary>
    public static WordTokenizer WithVectorWords(WordTokenizer tokenizer, WordVectors vectors, int maxSize)
    {
        var words = new List<string>(Math.Min(maxSize, tokenizer.VocabularySize + vectors.Count));
        for (int id = 0; id < tokenizer.VocabularySize; id++) words.Add(tokenizer.TokenText(id));
        var known = new HashSet<string>(words, StringComparer.Ordinal);
        foreach (string word in vectors.Words)
        {
            if (words.Count >= maxSize) break;
            // Only words the tokenizer could produce: a vectors file from elsewhere may hold phrases or other casing.
            if (WordTokenizer.Split(word, tokenizer.Lowercase) is [var single] && single == word && known.Add(word)) words.Add(word);
        }
        return WordTokenizer.FromVocabulary(words.ToArray(), tokenizer.Lowercase, "vector words");
    }

    /// <summary>Copies the vectors into the embedding rows of the words that have one; returns how many did.</summary>
    public static int Apply(TaskNetwork network, WordTokenizer tokenizer, WordVectors vectors, bool freeze)
    {
        var weight = network.get_parameter(ModelTensors.EmbeddingWeight)
            ?? throw new InvalidOperationException("the network has no token embedding to initialise");
        int found = 0;
        using (no_grad())
        {
            for (int id = 2; id < tokenizer.VocabularySize; id++) // 0 and 1 are <pad> and <unk>
            {
                int row = vectors.IndexOf(tokenizer.TokenText(id));
                if (row < 0) continue;
                using var target = weight[id];
                using var source = tensor(vectors[row].ToArray());
                target.copy_(source);
                found++;
            }
        }
        if (freeze) weight.requires_grad_(false);
        return found;
    }
}
