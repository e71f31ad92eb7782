using System.Diagnostics;

namespace EdgeLstm.Trainer;

/// <summary>
/// Word vectors by skip-gram with negative sampling (Mikolov et al. 2013): each kept word predicts the words within
/// a window drawn from 1..Window around it, against Negatives words drawn from the unigram distribution to the 3/4
/// power; frequent words are subsampled (kept with probability min(1, √(t/f))) afresh each epoch. The vocabulary is
/// the words seen at least MinCount times (at most MaxVocabulary, most frequent first); other words are dropped
/// from the stream before windows are taken, as word2vec does. Pairs are shuffled and trained in minibatches with
/// Adam on two embedding tables (input vectors, which are the result, and output vectors). Windows never cross
/// from one text into the next.
/// </summary>
public sealed class SkipGramTrainer(SkipGramOptions options)
{
    /// <summary>Entries of the table negatives are drawn from (word2vec's sampling table, smaller).</summary>
    private const int NegativeTableSize = 1 << 22;

    public sealed record Result(WordVectors Vectors, long[] Counts, double[] EpochLoss, int[] PairsPerEpoch);

    /// <summary>word2vec's subsampling: a word seen <paramref name="count"/> times in <paramref name="total"/> is kept with probability min(1, √(t / f)).</summary>
    public static double KeepProbability(long count, long total, double sample) =>
        sample <= 0 ? 1.0 : Math.Min(1.0, Math.Sqrt(sample / ((double)count / total)));

    /// <summary>The texts of plain UTF-8 files for <see cref="Train"/>: each non-empty line one text.</summary>
    public static List<string> ReadTexts(IEnumerable<FileInfo> files)
    {
        var lines = new List<string>();
        foreach (var file in files)
            foreach (string line in EdgeLstm.Runtime.StrictUtf8.ReadFile(file.FullName).Split('\n'))
                if (!string.IsNullOrWhiteSpace(line)) lines.Add(line);
        return lines;
    }

    public Result Train(IReadOnlyList<string> texts, Action<string>? log = null, Action<double, string>? progress = null)
    {
        options.Start();
        var (words, counts, streams) = Vocabulary(texts);
        if (words.Length < 2) throw new ArgumentException($"only {words.Length} word(s) are seen {options.MinCount} times or more; lower --min-count or give more text");
        long total = counts.Sum();
        log?.Invoke($"{words.Length:N0} words seen ≥ {options.MinCount} times, {total:N0} tokens of them in {texts.Count:N0} text(s)");
        double[] keep = counts.Select(c => KeepProbability(c, total, options.Sample)).ToArray();
        int[] negativeTable = NegativeTable(counts);

        int d = options.Dimension, v = words.Length, k = options.Negatives;
        // word2vec's start: input vectors small and random, output vectors zero.
        using var input = nn.Parameter((rand(v, d) - 0.5) / d);
        using var output = nn.Parameter(zeros(v, d));
        var optimizer = optim.Adam([input, output], lr: options.LearningRate);
        var random = new Random(options.Seed);
        var losses = new double[options.Epochs];
        var pairCounts = new int[options.Epochs];
        var clock = Stopwatch.StartNew();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            var (centres, contexts) = Pairs(streams, keep, random);
            pairCounts[epoch] = centres.Length;
            int batches = 0;
            double sum = 0;
            var negatives = new long[options.BatchSize * k];
            for (int start = 0; start < centres.Length; start += options.BatchSize)
            {
                int b = Math.Min(options.BatchSize, centres.Length - start);
                for (int i = 0; i < b * k; i++) negatives[i] = negativeTable[random.Next(NegativeTableSize)];
                using var scope = NewDisposeScope();
                var centre = input.index_select(0, tensor(centres.AsSpan(start, b).ToArray()));                         // [b, d]
                var context = output.index_select(0, tensor(contexts.AsSpan(start, b).ToArray()));                       // [b, d]
                var noise = output.index_select(0, tensor(negatives.AsSpan(0, b * k).ToArray())).view(b, k, d);          // [b, k, d]
                var positive = nn.functional.logsigmoid((centre * context).sum(1));
                var negative = nn.functional.logsigmoid(-bmm(noise, centre.unsqueeze(2)).squeeze(2)).sum(1);
                var loss = -(positive + negative).mean();
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                sum += loss.item<float>();
                batches++;
                if (batches % 50 == 0)
                    progress?.Invoke((epoch + (double)(start + b) / centres.Length) * 100.0 / options.Epochs,
                        $"epoch {epoch + 1}/{options.Epochs}: {start + b:N0}/{centres.Length:N0} pairs, loss {sum / batches:F4}");
            }
            losses[epoch] = sum / Math.Max(1, batches);
            log?.Invoke($"epoch {epoch + 1}: {centres.Length:N0} pairs, loss {losses[epoch]:F4}, {clock.Elapsed.TotalSeconds:F0} s");
        }
        float[] values = input.detach().contiguous().data<float>().ToArray();
        return new Result(new WordVectors(words, values, d), counts, losses, pairCounts);
    }

    /// <summary>The vocabulary (most frequent first, ties by ordinal order), its counts, and each text as word ids with out-of-vocabulary words dropped.</summary>
    private (string[] Words, long[] Counts, int[][] Streams) Vocabulary(IReadOnlyList<string> texts)
    {
        var tokenized = texts.Select(t => WordTokenizer.Split(t, options.Lowercase)).ToArray();
        var frequency = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in tokenized)
            foreach (string w in text) frequency[w] = frequency.GetValueOrDefault(w) + 1;
        var kept = frequency.Where(p => p.Value >= options.MinCount)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(options.MaxVocabulary).ToArray();
        var index = new Dictionary<string, int>(kept.Length, StringComparer.Ordinal);
        for (int i = 0; i < kept.Length; i++) index[kept[i].Key] = i;
        int[][] streams = tokenized.Select(text => text.Select(w => index.GetValueOrDefault(w, -1)).Where(id => id >= 0).ToArray()).ToArray();
        return (kept.Select(p => p.Key).ToArray(), kept.Select(p => p.Value).ToArray(), streams);
    }

    /// <summary>Ids laid out in proportion to count^0.75, so a uniform draw from the table is a draw from that distribution.</summary>
    private static int[] NegativeTable(long[] counts)
    {
        double[] weight = counts.Select(c => Math.Pow(c, 0.75)).ToArray();
        double sum = weight.Sum();
        var table = new int[NegativeTableSize];
        int word = 0;
        double reached = weight[0] / sum;
        for (int i = 0; i < NegativeTableSize; i++)
        {
            table[i] = word;
            if ((i + 1.0) / NegativeTableSize > reached && word < counts.Length - 1) reached += weight[++word] / sum;
        }
        return table;
    }

    /// <summary>The words of <paramref name="stream"/> that survive subsampling this time (<paramref name="kept"/> is cleared first).</summary>
    public static void Subsample(int[] stream, double[] keep, Random random, List<int> kept)
    {
        kept.Clear();
        foreach (int id in stream)
            if (keep[id] >= 1 || random.NextDouble() < keep[id]) kept.Add(id);
    }

    /// <summary>One epoch's (centre, context) pairs in shuffled order: words subsampled, then each kept word with its window.</summary>
    private (long[] Centres, long[] Contexts) Pairs(int[][] streams, double[] keep, Random random)
    {
        var centres = new List<long>();
        var contexts = new List<long>();
        var kept = new List<int>();
        foreach (int[] stream in streams)
        {
            Subsample(stream, keep, random, kept);
            for (int i = 0; i < kept.Count; i++)
            {
                int window = random.Next(1, options.Window + 1);
                for (int j = Math.Max(0, i - window); j <= Math.Min(kept.Count - 1, i + window); j++)
                {
                    if (j == i) continue;
                    centres.Add(kept[i]);
                    contexts.Add(kept[j]);
                }
            }
        }
        long[] c = centres.ToArray(), o = contexts.ToArray();
        for (int i = c.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (c[i], c[j]) = (c[j], c[i]);
            (o[i], o[j]) = (o[j], o[i]);
        }
        return (c, o);
    }
}
