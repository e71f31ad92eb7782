using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Tests;

/// <summary>A tag head with a CRF (head.crf, `edgelstm-train tag --crf`): trained, converted and decoded by Viterbi in float and int8 alike.</summary>
public sealed class CrfTaggerTests
{
    private static readonly string[] Labels = [PunctuationTags.None, "，", "。", "、"];
    private const string Text = "春花秋月何时了往事知多少小楼昨夜又东风故国不堪回首月明中雕栏玉砌应犹在只是朱颜改";

    /// <summary>The highest-scoring path by enumerating all of them (emissions + transitions + start + end).</summary>
    private static int[] BruteForce(ReadOnlySpan<float> emissions, CrfTransitions crf)
    {
        int steps = emissions.Length / crf.Tags, count = (int)Math.Pow(crf.Tags, steps);
        int[] best = [];
        double bestScore = double.NegativeInfinity;
        for (int n = 0; n < count; n++)
        {
            var path = new int[steps];
            for (int t = 0, rest = n; t < steps; t++, rest /= crf.Tags) path[t] = rest % crf.Tags;
            double score = crf.Start[path[0]] + crf.End[path[^1]];
            for (int t = 0; t < steps; t++)
                score += emissions[t * crf.Tags + path[t]] + (t > 0 ? crf.Transitions[path[t - 1] * crf.Tags + path[t]] : 0);
            if (score > bestScore) (bestScore, best) = (score, path);
        }
        return best;
    }

    /// <summary>The textbook Viterbi loop, one candidate at a time: the oracle of the vectorized decoder.</summary>
    private static int[] ScalarViterbi(float[] emissions, CrfTransitions crf)
    {
        int tags = crf.Tags, steps = emissions.Length / tags;
        var score = new float[tags];
        var back = new int[steps * tags];
        for (int j = 0; j < tags; j++) score[j] = crf.Start[j] + emissions[j];
        for (int t = 1; t < steps; t++)
        {
            var next = new float[tags];
            for (int j = 0; j < tags; j++)
            {
                float best = score[0] + crf.Transitions[j];
                for (int i = 1; i < tags; i++)
                    if (score[i] + crf.Transitions[i * tags + j] > best) (best, back[t * tags + j]) = (score[i] + crf.Transitions[i * tags + j], i);
                next[j] = best + emissions[t * tags + j];
            }
            score = next;
        }
        var path = new int[steps];
        for (int j = 1; j < tags; j++) if (score[j] + crf.End[j] > score[path[^1]] + crf.End[path[^1]]) path[^1] = j;
        for (int t = steps - 1; t > 0; t--) path[t - 1] = back[t * tags + path[t]];
        return path;
    }

    /// <summary>Many tags (vector lanes and a scalar tail) and scores drawn from a few integers (so many ties): the same path as the scalar loop.</summary>
    /// <remarks>The decoder skips rows that cannot reach the smallest best; with scores from {−1, 0, 1} a row often just reaches it, and then its tie must count.</remarks>
    [Theory]
    [InlineData(37, 3, 1.0)]
    [InlineData(232, 3, 0.25)]
    [InlineData(11, 1, 1.0)]
    [InlineData(40, 1, 0.5)]
    public void ViterbiOnManyTagsIsTheScalarLoopsPathTiesIncluded(int tags, int range, double scale)
    {
        var random = new Random(tags);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.Next(-range, range + 1) * scale)).ToArray();
        var crf = new CrfTransitions(Draw(tags * tags), Draw(tags), Draw(tags), "test");
        for (int sentence = 0; sentence < 200; sentence++)
        {
            float[] emissions = Draw(tags * random.Next(1, 15));
            emissions[^(1 + random.Next(tags))] += 100; // the last tag forced, so any tag's best previous tag (not only the winners') shows in the path
            Assert.Equal(ScalarViterbi(emissions, crf), crf.Decode(emissions));
        }
    }

    [Fact]
    public void FloatAndInt8DecodeTheBestPathNotEachStepsArgmax()
    {
        var tokenizer = CharTokenizer.FromText(Text);
        var network = TorchFixture.RandomNetwork<ClassifierNetwork>(ClassifierNetwork.Describe(tokenizer, 12, 16, 1, true, Poolings.None, Labels, crf: true), seed: 41);
        var random = new Random(2);
        using (no_grad())
            foreach (var p in new[] { network.Crf!.Transitions, network.Crf.Start, network.Crf.End })
                p.copy_(tensor(Enumerable.Range(0, (int)p.numel()).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray()).view(p.shape));
        var floatModel = TaskNetworks.ToFloatModel(network);
        using var q = EveryKernel.Convert(floatModel, "crf-tagger.elstm");
        Assert.True(q.Description.Head.Crf);
        Assert.Equal(floatModel.Crf!.Transitions, q.Crf!.Transitions);
        Assert.Equal(network.Crf.Transitions.data<float>().ToArray(), floatModel.Crf.Transitions);

        int differs = 0;
        foreach (ILanguageModel model in new ILanguageModel[] { floatModel, q })
        {
            using var runner = model.CreateRunner();
            for (int start = 0; start + 7 <= Text.Length; start += 5)
            {
                string text = Text.Substring(start, 7);
                int[] tags = TaggerEvaluator.Tag(runner, model.Tokenizer, text, model.Crf);
                float[] emissions = runner.Run(model.Tokenizer.Encode(text)).ToArray();
                Assert.Equal(BruteForce(emissions, model.Crf!), tags);
                int[] argmax = Enumerable.Range(0, text.Length).Select(t => ClassificationMetrics.ArgMax(emissions.AsSpan(t * Labels.Length, Labels.Length))).ToArray();
                if (!argmax.SequenceEqual(tags)) differs++;
            }
        }
        Assert.True(differs > 0, "the transitions never changed a path: the test would not notice per-step decoding");
    }

    [Fact]
    public void TagCrfTrainsAModelThatConvertsAndTags()
    {
        using var dir = new TempDirectory();
        string[] lines = ["春花秋月何时了，往事知多少。", "小楼昨夜又东风，故国不堪回首月明中。", "雕栏玉砌应犹在，只是朱颜改。", "问君能有几多愁，恰似一江春水向东流。"];
        File.WriteAllLines(dir.File("train.txt"), Enumerable.Repeat(lines, 8).SelectMany(l => l));
        File.WriteAllLines(dir.File("valid.txt"), lines);
        var train = CliRunner.RunTrainer(["tag", "--crf", "--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"), "--marks", "，。", "--embedding-dim", "8",
            "--hidden-size", "8", "--layers", "1", "--epochs", "3", "--min-count", "1", "--threads", "1", "--seed", "3", "-o", dir.File("crf.safetensors")]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var file = SafeTensorsReader.Read(dir.File("crf.safetensors"));
        Assert.True(ModelDescription.FromJson(file.Metadata[ModelMetadataKeys.Model], "crf").Head.Crf);
        Assert.Contains(file.ReadFloats(file.Tensors[ModelTensors.CrfTransitions]), v => v != 0); // learned, not left at zero

        var convert = CliRunner.RunDev(["convert", dir.File("crf.safetensors"), "-o", dir.File("crf.elstm")]);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        var tagged = CliRunner.Run(["tag", "--model", dir.File("crf.elstm"), "春花秋月何时了往事知多少"]);
        Assert.True(tagged.ExitCode == 0, tagged.Stderr);
        Assert.Equal("春花秋月何时了往事知多少", string.Concat(tagged.Stdout.Trim().Where(c => c is not ('，' or '。'))));
    }
}

/// <summary>`edgelstm-train tag --format conll`: a word tagger from CoNLL files, its tokenizer options recorded, tagging words as written.</summary>
public sealed class WordTaggerCliTests
{
    /// <summary>
    /// `tag --checkpoint-dir`: stopped after epoch 1 and resumed, a word tagger (CRF, dropout on) ends with the unbroken
    /// run's weights: the same batches (the done epochs' orders drawn again), the same dropout masks, Adam's moments.
    /// A resume from other options is one line.
    /// </summary>
    [Fact]
    public void AWordTaggerResumesFromItsCheckpointAsAnUnbrokenRun()
    {
        using var dir = new TempDirectory();
        var random = new Random(6);
        string Sentences(int count) => string.Concat(Enumerable.Range(0, count).Select(_ =>
            $"The\tDT\n{(random.Next(2) == 0 ? "cat" : "dog")}\tNN\n{(random.Next(2) == 0 ? "sat" : "ran")}\tVB\nin\tIN\n{random.Next(1000, 2100)}\tCD\n.\t.\n\n"));
        File.WriteAllText(dir.File("train.conll"), Sentences(60));
        File.WriteAllText(dir.File("valid.conll"), Sentences(10));
        string hidden = "8";
        string[] Args(string output, params string[] more) => ["tag", "--format", "conll", "--crf", "--train", dir.File("train.conll"), "--valid", dir.File("valid.conll"),
            "--embedding-dim", "8", "--hidden-size", hidden, "--layers", "1", "--epochs", "3", "--patience", "3", "--min-count", "1", "--batch-size", "8", "--threads", "1",
            "-o", dir.File(output), .. more];
        void Ok(CliRunner.Result run) => Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);

        Ok(CliRunner.RunTrainer(Args("unbroken.safetensors")));
        Ok(CliRunner.RunTrainer(Args("first.safetensors", "--checkpoint-dir", dir.File("ckpt"), "--stop-after-epoch", "1")));
        var resumed = CliRunner.RunTrainer(Args("resumed.safetensors", "--checkpoint-dir", dir.File("ckpt"), "--resume"));
        Ok(resumed);
        Assert.Contains("resuming after epoch 1", resumed.Stderr);

        var a = SafeTensorsReader.Read(dir.File("unbroken.safetensors"));
        var b = SafeTensorsReader.Read(dir.File("resumed.safetensors"));
        Assert.Equal(a.Metadata["edgelstm.train.best_epoch"], b.Metadata["edgelstm.train.best_epoch"]);
        foreach (var (name, info) in a.Tensors)
            Assert.Equal(a.ReadFloats(info), b.ReadFloats(b.Tensors[name]));

        hidden = "9";
        var other = CliRunner.RunTrainer(Args("other.safetensors", "--checkpoint-dir", dir.File("ckpt"), "--resume"));
        Assert.Equal(2, other.ExitCode);
        Assert.StartsWith("error: --resume: the checkpoint in", other.Stderr);
        Assert.Single(other.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void AWordTaggerTrainsFromConllFilesAndTagsWordsAsWritten()
    {
        using var dir = new TempDirectory();
        var random = new Random(5);
        string Sentences(int count) => string.Concat(Enumerable.Range(0, count).Select(_ =>
            $"The\tDT\n{(random.Next(2) == 0 ? "cat" : "dog")}\tNN\nsat-down\tVB\nin\tIN\n{random.Next(1000, 2100)}\tCD\n.\t.\n\n"));
        File.WriteAllText(dir.File("train.conll"), Sentences(60));
        File.WriteAllText(dir.File("valid.conll"), Sentences(10));
        File.WriteAllText(dir.File("test.conll"), Sentences(10));
        var train = CliRunner.RunTrainer(["tag", "--format", "conll", "--crf", "--lowercase", "--zero-digits", "--train", dir.File("train.conll"), "--valid", dir.File("valid.conll"),
            "--test", dir.File("test.conll"), "--embedding-dim", "8", "--hidden-size", "8", "--layers", "1", "--epochs", "2", "--min-count", "1", "--threads", "1",
            "-o", dir.File("words.safetensors")]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.Matches(@"^valid\.conll: accuracy [0-9.]+%, unknown words [0-9.]+% \(float, 60 tokens\)\ntest\.conll: accuracy", train.Stdout);
        var file = SafeTensorsReader.Read(dir.File("words.safetensors"));
        var description = ModelDescription.FromJson(file.Metadata[ModelMetadataKeys.Model], "words");
        Assert.Equal((TokenizerDescription.WhitespaceSplit, TokenizerDescription.ZeroDigits, true, true),
            (description.Input.Tokenizer!.Split, description.Input.Tokenizer.Digits, description.Input.Tokenizer.Lowercase, description.Head.Crf));
        Assert.Contains("0000", description.Input.Tokenizer.Vocabulary); // every year is one word
        Assert.DoesNotContain("The", description.Input.Tokenizer.Vocabulary);

        var convert = CliRunner.RunDev(["convert", dir.File("words.safetensors"), "-o", dir.File("words.elstm"), "--valid", dir.File("valid.conll")]);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        Assert.Contains("token accuracy on 10 CoNLL sentences", convert.Stdout);
        var tagged = CliRunner.Run(["tag", "--model", dir.File("words.elstm"), "The Zorblat sat-down in 1999 ."]);
        Assert.True(tagged.ExitCode == 0, tagged.Stderr);
        string[] pairs = tagged.Stdout.Trim().Split(' ');
        Assert.Equal(new[] { "The", "Zorblat", "sat-down", "in", "1999", "." }, pairs.Select(p => p[..p.LastIndexOf('/')]));
        Assert.All(pairs, p => Assert.Contains(p[(p.LastIndexOf('/') + 1)..], new[] { "DT", "NN", "VB", "IN", "CD", "." }));

        var eval = CliRunner.Run(["eval", "--model", dir.File("words.elstm"), dir.File("test.conll")]);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Matches(@"^accuracy [0-9.]+% on 60 tokens in 10 sentences of test\.conll; words outside the vocabulary \(0\) ", eval.Stdout); // years are all 0000
    }

    /// <summary>BIO named entities from a generated CoNLL file: trained with a CRF through the CLI, scored by span F1 per type.</summary>
    [Fact]
    public void ABioNerTaggerTrainsAndEvalReportsSpanF1PerType()
    {
        using var dir = new TempDirectory();
        var random = new Random(8);
        string[] people = ["Ada Lovelace", "Alan Turing", "Grace Hopper"], places = ["Paris", "New York", "Rome"];
        string Sentences(int count) => string.Concat(Enumerable.Range(0, count).Select(_ =>
        {
            string[] person = people[random.Next(3)].Split(' '), place = places[random.Next(3)].Split(' ');
            var lines = person.Select((w, i) => $"{w} {(i == 0 ? "B" : "I")}-PER").Append("visited O")
                .Concat(place.Select((w, i) => $"{w} {(i == 0 ? "B" : "I")}-LOC")).Append(". O");
            return string.Join("\n", lines) + "\n\n";
        }));
        File.WriteAllText(dir.File("train.conll"), Sentences(80));
        File.WriteAllText(dir.File("test.conll"), Sentences(20));
        var train = CliRunner.RunTrainer(["tag", "--format", "conll", "--crf", "--train", dir.File("train.conll"), "--valid", dir.File("test.conll"),
            "--embedding-dim", "8", "--hidden-size", "16", "--layers", "1", "--epochs", "15", "--batch-size", "8", "--min-count", "1", "--lr", "1e-2", "--threads", "1",
            "-o", dir.File("ner.safetensors")]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var eval = CliRunner.Run(["eval", "--model", dir.File("ner.safetensors"), dir.File("test.conll")]);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        string[] lines = eval.Stdout.Trim().Split('\n');
        Assert.StartsWith("accuracy 100.00% on", lines[0]); // a grammar this regular is learned exactly
        Assert.StartsWith("label         tokens  accuracy   | most frequent errors", lines[1]);
        int spans = Array.IndexOf(lines, "type        spans  precision   recall       F1");
        Assert.True(spans > 1, eval.Stdout);
        Assert.Equal(new[] { "LOC", "PER", "all" }, lines.Skip(spans + 1).Select(l => l.Split(' ')[0]));
        Assert.EndsWith("1.0000   1.0000   1.0000", lines[^1]);
        Assert.Matches(@"^all +40 ", lines[^1]); // 20 sentences, a person and a place each
    }

    /// <summary>
    /// Word segmentation as tagging: characters of a small made-up lexicon run together, each tagged B, M, E or S
    /// (begins, inside, ends a word, or is one), trained with a CRF through the CLI and scored by word F1.
    /// </summary>
    [Fact]
    public void BmesSegmentationTrainsAndEvalReportsWordF1()
    {
        using var dir = new TempDirectory();
        string[] lexicon = ["春天", "花", "秋月何", "时了", "往事知多少", "小", "楼"];
        var random = new Random(9);
        string Sentences(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => string.Concat(Enumerable.Range(0, random.Next(3, 8)).Select(_ =>
        {
            string word = lexicon[random.Next(lexicon.Length)];
            return string.Concat(word.Select((c, i) => $"{c}\t{(word.Length == 1 ? "S" : i == 0 ? "B" : i == word.Length - 1 ? "E" : "M")}\n"));
        })) + "\n"));
        File.WriteAllText(dir.File("train.conll"), Sentences(150));
        File.WriteAllText(dir.File("test.conll"), Sentences(30));
        var train = CliRunner.RunTrainer(["tag", "--format", "conll", "--crf", "--train", dir.File("train.conll"), "--valid", dir.File("test.conll"),
            "--embedding-dim", "8", "--hidden-size", "16", "--layers", "1", "--epochs", "15", "--batch-size", "8", "--min-count", "1", "--lr", "1e-2", "--threads", "1",
            "-o", dir.File("seg.safetensors")]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var eval = CliRunner.Run(["eval", "--model", dir.File("seg.safetensors"), dir.File("test.conll")]);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        string[] lines = eval.Stdout.Trim().Split('\n');
        int spans = Array.IndexOf(lines, "type        spans  precision   recall       F1");
        Assert.Equal(new[] { "word", "all" }, lines.Skip(spans + 1).Select(l => l.Split(' ')[0]));
        Assert.Matches(@"^word +[0-9]+ +(0\.9[0-9]+|1\.0000) +(0\.9[0-9]+|1\.0000) +(0\.9[0-9]+|1\.0000)$", lines[spans + 1]);
    }

    /// <summary>What `eval` lists under the accuracy: each frequent label's accuracy and the most frequent (true, predicted) errors.</summary>
    [Fact]
    public void TagAccuracyCountsLabelsAndErrors()
    {
        var accuracy = new TagAccuracy();
        accuracy.Add(["nn", "nn", "jj", "vb", "nn"], ["jj", "nn", "nn", "vb", "jj"], [false, false, true, false, false]);
        accuracy.Add(["jj", "vb"], ["nn", "nn"], [false, false]);
        Assert.Equal(new[] { ("nn", 3L, 1.0 / 3), ("jj", 2L, 0.0), ("vb", 2L, 0.5) }, accuracy.MostFrequentLabels(5));
        Assert.Equal(new[] { ("jj", "nn", 2L), ("nn", "jj", 2L), ("vb", "nn", 1L) }, accuracy.MostFrequentErrors(5));
        Assert.Equal(new[] { ("jj", "nn", 2L) }, accuracy.MostFrequentErrors(1));
        Assert.Equal((2.0 / 7, 0.0), (accuracy.Accuracy, accuracy.UnknownAccuracy));
    }

    /// <summary>conlleval's counting: a span is right only with its type and both boundaries.</summary>
    [Fact]
    public void SpanF1CountsABoundaryErrorAsWrong()
    {
        var f1 = new SpanF1();
        f1.Add(["B-PER", "I-PER", "O", "B-LOC", "O", "S-ORG"], ["B-PER", "O", "O", "B-LOC", "O", "S-ORG"]); // PER cut short: wrong
        f1.Add(["O", "I-LOC", "I-LOC", "B-LOC", "E-LOC"], ["O", "B-LOC", "E-LOC", "B-LOC", "I-LOC"]);         // I- after O opens a span; both right
        Assert.Equal(new[] { ("LOC", 1, 2), ("LOC", 3, 4) }, SpanF1.Spans(["O", "I-LOC", "I-LOC", "B-LOC", "E-LOC"]));
        // Segmentation tags: words are spans of the type "word"; a word split in two is two wrong words.
        var words = new SpanF1();
        words.Add(["B", "E", "S", "B", "M", "E"], ["B", "E", "S", "B", "E", "S"]);
        Assert.True(SpanF1.IsSpanTagSet(["B", "M", "E", "S"]));
        var (precision, recall, wordF1, wordCount) = words.Score(SpanF1.WordType);
        Assert.Equal((0.5, 2.0 / 3, 3L), (precision, recall, wordCount));
        Assert.Equal(4.0 / 7, wordF1, 12);
        var (p, r, f, gold) = f1.Score();
        Assert.Equal((0.8, 0.8, 5L), (p, r, gold));
        Assert.Equal(0.8, f, 12);
        Assert.Equal((0.0, 0.0, 0.0, 1L), f1.Score("PER"));
        Assert.Equal((1.0, 1.0, 1.0, 3L), f1.Score("LOC"));
        Assert.True(SpanF1.IsSpanTagSet(["O", "B-PER", "I-PER", "E-X", "S-Y"]));
        Assert.False(SpanF1.IsSpanTagSet(["O", "NN"]));
    }
}
