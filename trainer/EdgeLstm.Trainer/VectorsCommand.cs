using System.CommandLine;
using EdgeLstm.Cli;

namespace EdgeLstm.Trainer;

/// <summary>
/// `edgelstm-train vectors`: trains word vectors (skip-gram with negative sampling) on plain text files — each line
/// a text, windows never crossing lines — and writes them in the word2vec text format that `classify
/// --init-embedding` reads; then prints nearest neighbours (and analogies) as a sanity check. With --vectors
/// instead of --text it only prints them, for any word2vec or GloVe text file.
/// </summary>
internal static class VectorsCommand
{
    public static Command Create()
    {
        var text = new Option<FileInfo[]>("--text") { Description = "UTF-8 text to learn from, one text per line (repeat for several files; e.g. `edgelstm-data sotu`)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the vectors (word2vec text format)" };
        var vectors = new Option<FileInfo>("--vectors") { Description = "Instead of training: read these vectors (word2vec or GloVe text) and print --neighbours / --analogy" };
        var dimension = new Option<int>("--dim") { Description = "Vector size (a classifier's --embedding-dim must match it)", DefaultValueFactory = _ => 64 };
        var window = new Option<int>("--window") { Description = "Context words up to this far on each side (each word draws its own window from 1..N)", DefaultValueFactory = _ => 5 };
        var negatives = new Option<int>("--negatives") { Description = "Noise words per pair, drawn by count^0.75", DefaultValueFactory = _ => 5 };
        var minCount = new Option<int>("--min-count") { Description = "Words seen fewer times get no vector (and are dropped before windows are taken)", DefaultValueFactory = _ => 5 };
        var maxVocabulary = new Option<int>("--max-vocabulary") { Description = "Most frequent words kept", DefaultValueFactory = _ => 50000 };
        var sample = new Option<double>("--sample") { Description = "Subsampling threshold t: a word of frequency f is kept with probability min(1, √(t/f)); 0 = off", DefaultValueFactory = _ => 1e-3 };
        var keepCase = new Option<bool>("--keep-case") { Description = "Do not lower-case (the classifier lower-cases, so its vectors should be lower-case)" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the text", DefaultValueFactory = _ => 5 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 2e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Word pairs per batch", DefaultValueFactory = _ => 1024 };
        var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<int>("--seed") { Description = "Random seed (initial vectors, subsampling, windows, negatives, order)", DefaultValueFactory = _ => 42 };
        var neighbours = new Option<string[]>("--neighbours") { Description = "Print the 8 nearest words of these words (default after training: five frequent words)", AllowMultipleArgumentsPerToken = true };
        var analogy = new Option<string[]>("--analogy") { Description = "Three words a b c: print the words closest to b − a + c (\"a is to b as c is to ?\")", Arity = new ArgumentArity(3, 3), AllowMultipleArgumentsPerToken = true };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the results" };
        var command = new Command("vectors", "Train word vectors (skip-gram, negative sampling) for a word model's embedding, or show a vectors file's neighbours")
        {
            text, output, vectors, dimension, window, negatives, minCount, maxVocabulary, sample, keepCase, epochs, lr, batchSize, threads, seed, neighbours, analogy, quiet,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            FileInfo[] texts = result.GetValue(text) ?? [];
            FileInfo? read = result.GetValue(vectors), write = result.GetValue(output);
            if (read is not null && (texts.Length > 0 || write is not null))
                throw new ArgumentException("--vectors shows an existing file; --text and --output train a new one: pass one or the other");
            if (read is null && (texts.Length == 0 || write is null))
                throw new ArgumentException("pass --text FILE and --output FILE to train vectors, or --vectors FILE to look at some");
            WordVectors wordVectors;
            if (read is not null) wordVectors = WordVectors.Read(read.FullName);
            else
            {
                var options = new SkipGramOptions
                {
                    Dimension = result.GetValue(dimension), Window = result.GetValue(window), Negatives = result.GetValue(negatives),
                    MinCount = result.GetValue(minCount), MaxVocabulary = result.GetValue(maxVocabulary), Sample = result.GetValue(sample),
                    Lowercase = !result.GetValue(keepCase), Epochs = result.GetValue(epochs), LearningRate = result.GetValue(lr),
                    BatchSize = result.GetValue(batchSize), Threads = result.GetValue(threads), Seed = result.GetValue(seed), Quiet = result.GetValue(quiet),
                };
                options.Validate();
                var lines = SkipGramTrainer.ReadTexts(texts);
                Action<string>? log = options.Quiet ? null : Console.Error.WriteLine;
                SkipGramTrainer.Result trained = null!;
                EpochProgress.Run("skip-gram", options.Quiet, report => trained = new SkipGramTrainer(options).Train(lines, log, report));
                wordVectors = trained.Vectors;
                wordVectors.Write(write!.FullName);
                Console.WriteLine($"{wordVectors.Count:N0} vectors of {wordVectors.Dimension} written to {write.FullName} (final loss {trained.EpochLoss[^1]:F4})");
            }
            string[] shown = result.GetValue(neighbours) is { Length: > 0 } asked ? asked
                : read is null ? [.. new[] { 50, 100, 200, 400, 800 }.Where(r => r < wordVectors.Count).Select(r => wordVectors.Words[r])] : [];
            foreach (string word in shown)
            {
                if (wordVectors.IndexOf(word) < 0) { Console.WriteLine($"{word}: no vector"); continue; }
                Console.WriteLine($"{word}: " + string.Join(", ", wordVectors.Neighbours(word, 8).Select(n => $"{n.Word} {n.Cosine:F2}")));
            }
            if (result.GetValue(analogy) is { Length: 3 } abc)
                Console.WriteLine($"{abc[0]} : {abc[1]} :: {abc[2]} : " + string.Join(", ", wordVectors.Analogy(abc[0], abc[1], abc[2], 5).Select(n => $"{n.Word} {n.Cosine:F2}")));
            return ExitCodes.Success;
        }));
        return command;
    }
}
