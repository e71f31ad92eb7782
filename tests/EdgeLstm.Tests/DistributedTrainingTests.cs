using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace EdgeLstm.Tests;

/// <summary>Skipped, saying why, where Open MPI's mpirun is not installed.</summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (DistributedTrainingTests.Mpirun is null) Skip = "mpirun not found: apt-get install -y openmpi-bin libopenmpi-dev (./build.sh test does)";
    }
}

/// <summary>A theory skipped, saying why, where Open MPI's mpirun is not installed.</summary>
public sealed class MpiTheoryAttribute : TheoryAttribute
{
    public MpiTheoryAttribute()
    {
        if (DistributedTrainingTests.Mpirun is null) Skip = new MpiFactAttribute().Skip;
    }
}

/// <summary>
/// `--distributed` under `mpirun -np 2` (the real trainer, two processes on this machine): 2 ranks × --batch-size B take
/// the same steps as 1 process × 2B — rank 0's weights broadcast, disjoint shards, gradients averaged over the global batch
/// before clipping — so after 20 steps every tensor matches to 1e-5 relative L2 (only the summation order differs).
/// </summary>
public sealed class DistributedTrainingTests(ITestOutputHelper output)
{
    internal static readonly string? Mpirun = FindMpirun();

    private static string? FindMpirun() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);

    private static readonly string Trainer = Path.Combine(AppContext.BaseDirectory, "edgelstm-train.dll");

    [MpiFact]
    public void TwoRanksTrainTheCharLmAsOneProcessWithTwiceTheBatch()
    {
        using var dir = new TempDirectory();
        // Dropout 0, clipping on (--clip 0.5 is reached by these gradients, so clipping after the average is tested too).
        string[] common = [.. CharLm(dir, 4000), "--layers", "2", "--dropout", "0", "--seq-len", "16", "--max-batches", "20", "--clip", "0.5"];

        var one = Run(null, [Trainer, .. common, "--batch-size", "6", "-o", dir.File("one.safetensors")]);
        Assert.True(one.ExitCode == 0, one.Stderr);
        var two = Run(2, [Trainer, .. common, "--batch-size", "3", "-o", dir.File("two.safetensors"), "--distributed"]);
        Assert.True(two.ExitCode == 0, two.Stdout + two.Stderr);

        AssertSameWeights(dir.File("one.safetensors"), dir.File("two.safetensors"));
    }

    /// <summary>
    /// Rank 0's epoch line gives the mean time a step spent in the gradients' all-reduce and the bytes it sent (the flat
    /// buffer: every parameter and three floats more), so a user sees what the ranks cost; one process's line does not.
    /// </summary>
    [MpiFact]
    public void RankZerosEpochLineGivesTheAllReduceTimePerStep()
    {
        using var dir = new TempDirectory();
        string[] common = [Trainer, .. CharLm(dir, 4000).Where(a => a != "-q"), "--seq-len", "16", "--max-batches", "5", "--batch-size", "2"];

        var two = Run(2, [.. common, "-o", dir.File("two.safetensors"), "--distributed"]);
        Assert.True(two.ExitCode == 0, two.Stdout + two.Stderr);
        string epochLine = two.Stdout.Split('\n').Single(l => l.StartsWith("epoch 1/1:", StringComparison.Ordinal));
        var timing = Regex.Match(epochLine, @", all-reduce (\d+\.\d{3}) ms/step of (\d+\.\d{2}) MB \((\d+\.\d{3}) ms/step with copies\)\)$");
        Assert.True(timing.Success, epochLine);
        double Number(int group) => double.Parse(timing.Groups[group].Value, CultureInfo.InvariantCulture);
        Assert.True(Number(3) > 0 && Number(3) >= Number(1), epochLine);
        long parameters = long.Parse(Regex.Match(two.Stdout, @"([\d,]+) parameters").Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
        Assert.Equal(((parameters + 3) * 4 / 1e6).ToString("F2", CultureInfo.InvariantCulture), timing.Groups[2].Value);

        var one = Run(null, [.. common, "-o", dir.File("one.safetensors")]);
        Assert.True(one.ExitCode == 0, one.Stderr);
        Assert.DoesNotContain("all-reduce", one.Stdout);
        Assert.Matches(@"^epoch 1/1: .* \(\d+ tokens/s\)$", one.Stdout.Split('\n').Single(l => l.StartsWith("epoch 1/1:", StringComparison.Ordinal)));
    }

    [MpiFact]
    public void TwoRanksTrainTheBiLstmClassifierAsOneProcessWithTwiceTheBatch()
    {
        using var dir = new TempDirectory();
        // 157 training texts: 19 global batches of 8 and a last one of 5, which the ranks split 2 + 3 (weighted by rows).
        var random = new Random(3);
        string[] good = ["great", "fun", "lovely", "good", "fine", "warm"], bad = ["awful", "dull", "bad", "boring", "poor", "cold"],
            filler = ["a", "film", "story", "the", "music", "and", "acting", "was", "very", "quite"];
        string Text(string[] mood) => string.Join(' ', Enumerable.Range(0, random.Next(2, 9)).Select(_ => random.Next(3) == 0 ? mood[random.Next(mood.Length)] : filler[random.Next(filler.Length)]));
        var lines = new List<string> { "fold\tlabel\ttext" };
        for (int i = 0; i < 157; i++) lines.Add(i % 2 == 0 ? $"train\tpos\t{Text(good)}" : $"train\tneg\t{Text(bad)}");
        for (int i = 0; i < 10; i++) lines.Add($"valid\t{(i % 2 == 0 ? "pos" : "neg")}\t{Text(i % 2 == 0 ? good : bad)}");
        for (int i = 0; i < 10; i++) lines.Add($"test\t{(i % 2 == 0 ? "pos" : "neg")}\t{Text(i % 2 == 0 ? good : bad)}");
        File.WriteAllLines(dir.File("data.tsv"), lines);
        string[] common = [Trainer, "classify", "--data", dir.File("data.tsv"), "--test-fold", "test", "--valid-fold", "valid", "--embedding-dim", "8",
            "--hidden-size", "8", "--dropout", "0", "--epochs", "1", "--min-count", "1", "--threads", "1", "-q"];

        TrainAloneAndOnTwoRanks(common, perRankBatch: 4, run => ["-o", dir.File(run + ".safetensors")]);

        AssertSameWeights(dir.File("one.safetensors"), dir.File("two.safetensors"));
    }

    /// <summary>
    /// The CoNLL word tagger (the punctuation restorer shares its loop): 157 sentences of 2-9 words, so the ranks' shards hold
    /// different numbers of tokens and only a loss weighted by real tokens gives one process's step; the last global batch of 5
    /// splits 2 + 3.
    /// </summary>
    [MpiTheory]
    [InlineData("--affixes", "--affix-size", "4", "--affix-buckets", "512")]
    [InlineData("--crf", "--char-encoder", "--char-size", "4", "--char-hidden", "4")]
    public void TwoRanksTrainTheWordTaggerAsOneProcessWithTwiceTheBatch(params string[] variant)
    {
        using var dir = new TempDirectory();
        var random = new Random(4);
        (string Word, string Tag)[] lexicon = [("the", "DT"), ("a", "DT"), ("cat", "NN"), ("dog", "NN"), ("park", "NN"), ("runs", "VB"), ("sleeps", "VB"),
            ("in", "IN"), ("near", "IN"), ("big", "JJ"), ("old", "JJ"), ("1999", "CD")];
        string Sentences(int count) => string.Concat(Enumerable.Range(0, count).Select(_ =>
            string.Concat(Enumerable.Range(0, random.Next(2, 10)).Select(_ => lexicon[random.Next(lexicon.Length)]).Select(p => $"{p.Word}\t{p.Tag}\n")) + "\n"));
        File.WriteAllText(dir.File("train.conll"), Sentences(157));
        File.WriteAllText(dir.File("valid.conll"), Sentences(10));
        string[] common = [Trainer, "tag", "--format", "conll", "--train", dir.File("train.conll"), "--valid", dir.File("valid.conll"), "--embedding-dim", "8",
            "--hidden-size", "8", "--layers", "1", "--dropout", "0", "--epochs", "1", "--min-count", "1", "--threads", "1", .. variant];

        TrainAloneAndOnTwoRanks(common, perRankBatch: 4, run => ["-o", dir.File(run + ".safetensors")]);

        AssertSameWeights(dir.File("one.safetensors"), dir.File("two.safetensors"));
    }

    /// <summary>The punctuation restorer (lines cut into windows of at most 12 characters, weighted by characters).</summary>
    [MpiFact]
    public void TwoRanksTrainThePunctuationRestorerAsOneProcessWithTwiceTheBatch()
    {
        using var dir = new TempDirectory();
        var random = new Random(5);
        string[] phrases = ["春花秋月何时了", "往事知多少", "小楼昨夜又东风", "故国不堪回首月明中", "雕栏玉砌应犹在", "只是朱颜改", "问君能有几多愁", "恰似一江春水向东流"];
        string Line() => string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(i => phrases[random.Next(phrases.Length)] + (random.Next(2) == 0 ? "，" : "。")));
        File.WriteAllLines(dir.File("train.txt"), Enumerable.Range(0, 90).Select(_ => Line()));
        File.WriteAllLines(dir.File("valid.txt"), Enumerable.Range(0, 8).Select(_ => Line()));
        string[] common = [Trainer, "tag", "--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"), "--marks", "，。", "--window", "12",
            "--embedding-dim", "8", "--hidden-size", "8", "--layers", "1", "--dropout", "0", "--epochs", "1", "--min-count", "1", "--threads", "1"];

        TrainAloneAndOnTwoRanks(common, perRankBatch: 4, run => ["-o", dir.File(run + ".safetensors")]);

        AssertSameWeights(dir.File("one.safetensors"), dir.File("two.safetensors"));
    }

    /// <summary>
    /// The grapheme-to-phoneme model over 3 epochs (the last epoch's checkpoint is compared): pronunciations of 2-8 phonemes,
    /// so the shards hold different numbers of targets; a learning rate halved after an epoch that did not improve must be
    /// halved on every rank, or the weights drift apart.
    /// </summary>
    [MpiFact]
    public void TwoRanksTrainTheSeq2SeqModelAsOneProcessWithTwiceTheBatch()
    {
        using var dir = new TempDirectory();
        var random = new Random(6);
        string[] letters = ["b", "d", "k", "m", "s", "t", "a", "e", "o"], phonemes = ["B", "D", "K", "M", "S", "T", "AE1", "EH0", "OW1"];
        var lines = new List<string> { "word\tpronunciations\tsplit" };
        var seen = new HashSet<string>();
        while (lines.Count < 1 + 150)
        {
            int[] spelling = Enumerable.Range(0, random.Next(2, 8)).Select(_ => random.Next(letters.Length)).ToArray();
            string word = string.Concat(spelling.Select(i => letters[i]));
            if (!seen.Add(word)) continue;
            string said = string.Join(' ', spelling.Select(i => phonemes[i]));
            if (random.Next(10) == 0) said += $"|{said} {phonemes[spelling[^1]]}"; // a second pronunciation, one phoneme longer
            lines.Add($"{word}\t{said}\t{(lines.Count <= 130 ? "train" : "valid")}");
        }
        File.WriteAllLines(dir.File("lexicon.tsv"), lines);
        string[] common = [Trainer, "seq2seq", "--data", dir.File("lexicon.tsv"), "--embedding-dim", "8", "--encoder-hidden", "8", "--encoder-layers", "1",
            "--decoder-embedding", "8", "--decoder-hidden", "8", "--dropout", "0", "--epochs", "3", "--patience", "3", "--threads", "1", "-q"];

        TrainAloneAndOnTwoRanks(common, perRankBatch: 4, run => ["-o", dir.File(run + ".safetensors"), "--checkpoint-dir", dir.File(run)]);

        AssertSameWeights(EpochLoop.LastWeights(dir.File("one")), EpochLoop.LastWeights(dir.File("two")));
        AssertSameWeights(dir.File("one.safetensors"), dir.File("two.safetensors"));
    }

    /// <summary>The daily forecaster (recursive, trained through its rollout, clipped at 1): three years of a weekly pattern with noise (the baselines read a year back); 965 windows, so the last global batch of 5 splits 2 + 3.</summary>
    [MpiFact]
    public void TwoRanksTrainTheForecasterAsOneProcessWithTwiceTheBatch()
    {
        using var dir = new TempDirectory();
        var random = new Random(7);
        var first = new DateOnly(2001, 1, 1);
        var lines = new List<string> { "date,value,split" };
        for (int d = 0; d < 1100; d++)
        {
            double value = 1000 + 150 * Math.Sin(2 * Math.PI * d / 7) + d + 40 * random.NextDouble();
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{first.AddDays(d):yyyy-MM-dd},{value:F1},{(d < 985 ? "train" : d < 1045 ? "valid" : "test")}"));
        }
        File.WriteAllLines(dir.File("series.csv"), lines);
        string[] common = [Trainer, "forecast", "--data", dir.File("series.csv"), "--history", "14", "--level-window", "7", "--horizon", "7",
            "--hidden-size", "8", "--dropout", "0", "--epochs", "2", "--threads", "1", "-q"];

        TrainAloneAndOnTwoRanks(common, perRankBatch: 4, run => ["-o", dir.File(run + ".safetensors")]);

        AssertSameWeights(dir.File("one.safetensors"), dir.File("two.safetensors"));
    }

    /// <summary>
    /// A checkpoint made by 2 ranks resumes in 1 process, and one made by 1 process on 2 ranks, with the checkpoint's global
    /// batch (whatever --batch-size says): both end with the weights of an unbroken run (dropout 0: the data order decides,
    /// and it depends on the global batch alone). A global batch the ranks cannot share ends the run with one line.
    /// </summary>
    [MpiFact]
    public void ACheckpointResumesOnAnotherNumberOfRanksWithTheSameGlobalBatch()
    {
        using var dir = new TempDirectory();
        string[] common = [Trainer, .. CharLm(dir, 4000, epochs: 2), "--layers", "1", "--dropout", "0", "--seq-len", "16", "--max-batches", "10",
            "-o", dir.File("m.safetensors")];
        string[] Ckpt(string name) => ["--checkpoint-dir", dir.File(name)];
        string Last(string name) => EpochLoop.LastWeights(dir.File(name));
        void Ok(CliRunner.Result run) => Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);

        Ok(Run(null, [.. common, "--batch-size", "6", .. Ckpt("unbroken")]));
        // 2 ranks × 3, then 1 process started with the per-rank --batch-size 3: the checkpoint's 6 wins.
        Ok(Run(2, [.. common, "--batch-size", "3", .. Ckpt("two-then-one"), "--stop-after-epoch", "1", "--distributed"]));
        Ok(Run(null, [.. common, "--batch-size", "3", .. Ckpt("two-then-one"), "--resume"]));
        // 1 process × 6, then 2 ranks of 3 each.
        Ok(Run(null, [.. common, "--batch-size", "6", .. Ckpt("one-then-two"), "--stop-after-epoch", "1"]));
        Ok(Run(2, [.. common, "--batch-size", "6", .. Ckpt("one-then-two"), "--resume", "--distributed"]));

        foreach (string resumed in new[] { "two-then-one", "one-then-two" })
        {
            Assert.Equal(new TrainingCheckpoint(2, 0, 0, GlobalBatchSize: 6, Files: "epoch-0002"), TrainingCheckpoint.Load(dir.File(resumed)) with { BestValidScore = 0, EpochsWithoutImprovement = 0, BestTieBreak = 0 });
            AssertSameWeights(Last("unbroken"), Last(resumed));
        }

        Ok(Run(null, [.. common, "--batch-size", "5", .. Ckpt("odd"), "--stop-after-epoch", "1"]));
        var odd = Run(2, [.. common, "--batch-size", "5", .. Ckpt("odd"), "--resume", "--distributed"]);
        Assert.NotEqual(0, odd.ExitCode);
        Assert.Contains("the checkpoint's global batch of 5 does not divide over 2 ranks", odd.Stderr);
        Assert.DoesNotContain("   at ", odd.Stderr);
    }

    /// <summary>A rank started with another seed ends the job with one line naming it and the cause.</summary>
    [MpiFact]
    public void ARankWithAnotherSeedEndsTheJobNamingIt()
    {
        using var dir = new TempDirectory();
        string[] common = [.. CharLm(dir, 2000), "--layers", "1", "--max-batches", "2", "--batch-size", "2", "-o", dir.File("m.safetensors"), "--distributed"];
        // MPMD: rank 0 with --seed 42, rank 1 with --seed 43.
        var run = Run(null, ["-np", "1", "dotnet", Trainer, .. common, "--seed", "42", ":", "-np", "1", "dotnet", Trainer, .. common, "--seed", "43"], mpmd: true);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("edgelstm-train: rank 1: seed (--seed) not as on rank 0 (43 against 42)", run.Stderr);
        Assert.False(File.Exists(dir.File("m.safetensors")));
    }

    /// <summary>
    /// Trains with <paramref name="common"/> in one process with --batch-size 2 × <paramref name="perRankBatch"/> (files named by
    /// <paramref name="files"/>("one")), then on 2 ranks with <paramref name="perRankBatch"/> each (files("two")); both must succeed.
    /// </summary>
    private void TrainAloneAndOnTwoRanks(string[] common, int perRankBatch, Func<string, string[]> files)
    {
        var one = Run(null, [.. common, "--batch-size", (2 * perRankBatch).ToString(CultureInfo.InvariantCulture), .. files("one")]);
        Assert.True(one.ExitCode == 0, one.Stderr);
        var two = Run(2, [.. common, "--batch-size", perRankBatch.ToString(CultureInfo.InvariantCulture), .. files("two"), "--distributed"]);
        Assert.True(two.ExitCode == 0, two.Stdout + two.Stderr);
    }

    /// <summary>Writes train.txt and valid.txt; the trainer's arguments for a tiny char LM on them, one epoch unless told, one thread.</summary>
    private static string[] CharLm(TempDirectory dir, int trainChars, int epochs = 1)
    {
        File.WriteAllText(dir.File("train.txt"), TestTexts.English(trainChars, seed: 1));
        File.WriteAllText(dir.File("valid.txt"), TestTexts.English(trainChars / 10, seed: 2));
        return ["--train", dir.File("train.txt"), "--valid", dir.File("valid.txt"), "--embedding-dim", "8", "--hidden-size", "16", "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--threads", "1", "-q"];
    }

    private void AssertSameWeights(string expectedPath, string actualPath)
    {
        var expected = SafeTensorsReader.Read(expectedPath);
        var actual = SafeTensorsReader.Read(actualPath);
        Assert.Equal(expected.Tensors.Keys.Order(), actual.Tensors.Keys.Order());
        double worst = 0;
        foreach (var (name, info) in expected.Tensors)
        {
            float[] a = expected.ReadFloats(info), b = actual.ReadFloats(actual.Tensors[name]);
            double diff = 0, norm = 0;
            for (int i = 0; i < a.Length; i++)
            {
                diff += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
                norm += (double)a[i] * a[i];
            }
            double relative = Math.Sqrt(diff / Math.Max(norm, 1e-30));
            worst = Math.Max(worst, relative);
            output.WriteLine($"{name}: relative L2 difference {relative:E2}");
            Assert.True(relative <= 1e-5, $"{name}: 2 ranks differ from 1 process by {relative:E2} relative L2");
        }
        output.WriteLine($"worst {worst:E2}");
    }

    /// <summary>`mpirun -np N dotnet ARGS` (or, without N, `dotnet ARGS`; with <paramref name="mpmd"/>, `mpirun ARGS`).</summary>
    private CliRunner.Result Run(int? ranks, string[] args, bool mpmd = false)
    {
        var start = new ProcessStartInfo(ranks is null && !mpmd ? "dotnet" : Mpirun!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ranks is { } n) foreach (string a in new[] { "-np", n.ToString(CultureInfo.InvariantCulture), "--oversubscribe", "--allow-run-as-root", "dotnet" }) start.ArgumentList.Add(a);
        else if (mpmd) foreach (string a in new[] { "--oversubscribe", "--allow-run-as-root" }) start.ArgumentList.Add(a);
        foreach (string a in args) start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not finish in 120 s");
        }
        output.WriteLine($"{start.FileName} {(ranks is null ? "" : $"-np {ranks} ")}...: exit {process.ExitCode}, {clock.Elapsed.TotalSeconds:F1} s");
        return new CliRunner.Result(process.ExitCode, stdout, stderr.Result);
    }
}
