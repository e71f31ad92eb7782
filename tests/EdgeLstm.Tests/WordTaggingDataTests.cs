using EdgeLstm.Data;
using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Tests;

/// <summary>Word-level tagging data (#33): CoNLL files, the Brown corpus and its universal tags, the baselines.</summary>
public sealed class WordTaggingDataTests
{
    [Fact]
    public void ConllFilesReadTheFirstAndLastColumnsAndRoundTrip()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a.conll"), "-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\r\n\n\n  \nPeter\tB-PER\n");
        var sentences = ConllFile.Read(dir.File("a.conll"));
        Assert.Equal(2, sentences.Count);
        Assert.Equal(new[] { "EU", "rejects" }, sentences[0].Tokens);
        Assert.Equal(new[] { "B-ORG", "O" }, sentences[0].Labels);
        Assert.Equal(new[] { "B-PER" }, sentences[1].Labels);

        ConllFile.Write(dir.File("b.conll"), sentences);
        Assert.Equal("EU\tB-ORG\nrejects\tO\n\nPeter\tB-PER\n\n", File.ReadAllText(dir.File("b.conll")));
        Assert.Equal(sentences.Select(s => s.Tokens), ConllFile.Read(dir.File("b.conll")).Select(s => s.Tokens));
    }

    [Theory]
    [InlineData("EU B-ORG\nrejects\n", "bad.conll line 2: expected a token and its label separated by a tab or spaces, got 'rejects'")]
    [InlineData("\n\n", "bad.conll: no tagged tokens (one 'token label' line per token, a blank line between sentences)")]
    public void ABadConllFileIsAOneLineErrorNamingTheLine(string content, string message)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.conll"), content);
        File.WriteAllText(dir.File("ok.conll"), "a DT\n");
        var run = CliRunner.RunTrainer(["tag", "--format", "conll", "--train", dir.File("bad.conll"), "--valid", dir.File("ok.conll"), "--baseline-only"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: " + message, run.Stderr.Trim());
    }

    [Fact]
    public void BrownTagsAreNormalisedAndEveryTagTheCorpusUsesHasAUniversalTag()
    {
        Assert.Equal("nn", BrownCorpus.NormalizeTag("NN-TL"));
        Assert.Equal("nn", BrownCorpus.NormalizeTag("nn-tl-hl"));
        Assert.Equal("np$", BrownCorpus.NormalizeTag("np$-nc"));
        Assert.Equal("ppss+md", BrownCorpus.NormalizeTag("ppss+md"));
        Assert.Equal(new[] { "PRON", "VERB", "PRON", "NOUN", "X", "ADV", "ADV", ".", "DET" },
            new[] { "ppss+md", "md*", "pp$$", "np$", "fw-in+at", "*", "wql", "``", "ex" }.Select(BrownUniversalTags.Map));
        Assert.Null(BrownUniversalTags.Map("b-per"));

        string package = Arm64BitIdentityTests.RepoPath(".cache", "data", BrownCorpus.PackageFileName);
        var documents = BrownCorpus.Load(package);
        Assert.Equal((400, 50, 50), (documents.Count(d => d.Split == "train"), documents.Count(d => d.Split == "valid"), documents.Count(d => d.Split == "test")));
        foreach (string split in new[] { "train", "valid", "test" }) // every genre (the file name's second letter) in every part
            Assert.Equal(documents.Select(d => d.Id[1]).Distinct().Order(), documents.Where(d => d.Split == split).Select(d => d.Id[1]).Distinct().Order());
        Assert.InRange(documents.Sum(d => d.Sentences.Sum(s => s.Tokens.Length)), 1_150_000, 1_170_000);
        string[] unmapped = documents.SelectMany(d => d.Sentences).SelectMany(s => s.Labels).Distinct().Where(t => BrownUniversalTags.Map(t) is null).ToArray();
        Assert.Empty(unmapped);
    }

    /// <summary>"can" is mostly a modal in training, but a noun after a determiner: only a tagger that reads the context gets it.</summary>
    [Fact]
    public void TheHmmReadsContextWhereTheMostFrequentTagCannot()
    {
        var train = new List<TaggedSentence>();
        for (int i = 0; i < 30; i++) train.Add(new(["we", "can", "go"], ["PRON", "MD", "VB"]));
        for (int i = 0; i < 10; i++) train.Add(new(["the", "can", "is", "red"], ["DT", "NN", "VBZ", "JJ"]));
        train.Add(new(["a", "Zorblat", "is", "red"], ["DT", "NN", "VBZ", "JJ"]));
        var mft = new MostFrequentTagBaseline(train);
        var hmm = new HmmTagger(train);
        string[] sentence = ["the", "can", "is", "red"];
        Assert.Equal(new[] { "DT", "MD", "VBZ", "JJ" }, mft.Tag(sentence));
        Assert.Equal(new[] { "DT", "NN", "VBZ", "JJ" }, hmm.Tag(sentence));
        // An unknown capitalised word after a determiner: tagged by its shape (as the one capitalised hapax, an NN).
        Assert.Equal(new[] { "DT", "NN", "VBZ", "JJ" }, hmm.Tag(["the", "Quuxly", "is", "red"]));
        Assert.Equal("MD", mft.Tag(["can"])[0]);
        Assert.Equal("MD", mft.Tag(["Quuxly"])[0]); // unknown: the most frequent tag overall (MD, PRON and VB tie at 30: the first in ordinal order)
    }

    /// <summary>`--unknown-shapes`: a word outside the vocabulary becomes its spelling class's token, judged from the word as written.</summary>
    [Fact]
    public void UnknownWordsReadAsTheirSpellingClass()
    {
        var tokenizer = WordTokenizer.Build(["the cat sat on the mat", "the dog ran off quickly"], maxSize: 1000, minCount: 2, lowercase: true,
            whitespace: true, zeroDigits: false, unknownShapes: true);
        int[] ids = tokenizer.Encode("The Quuxly running 1984 cat-like Zorb the");
        Assert.Equal(new[] { "the", "<unk:cap-ly>", "<unk:low-ing>", "<unk:number>", "<unk:low-hyphen>", "<unk:cap>", "the" }, ids.Select(tokenizer.TokenText));
        Assert.True(tokenizer.IsOutOfVocabulary(ids[1]));
        Assert.False(tokenizer.IsOutOfVocabulary(ids[0]));
        Assert.Equal(2 + WordShapes.All.Length + 1, tokenizer.VocabularySize); // <pad>, <unk>, the classes, "the"

        var description = tokenizer.ToDescription();
        Assert.Equal(TokenizerDescription.ShapesUnknown, description.Unknown);
        var back = (WordTokenizer)description.Create("test");
        Assert.Equal(ids, back.Encode("The Quuxly running 1984 cat-like Zorb the"));
        var broken = description with { Vocabulary = [.. description.Vocabulary.Where(w => w != "<unk:number>")] };
        Assert.Throws<ModelFormatException>(() => broken.Create("test"));
    }
}
