namespace EdgeLstm.Runtime.Tagging;

/// <summary>A sentence of a word-level tagging file: its tokens and one label per token.</summary>
public sealed record TaggedSentence(string[] Tokens, string[] Labels);

/// <summary>
/// CoNLL-style column files: one token per line — the token in the first column, its label in the last, columns
/// separated by a tab or spaces (columns between, such as CoNLL-2003's part-of-speech and chunk tags, are
/// ignored) — and a blank line between sentences. "-DOCSTART-" lines are skipped. A bad line is a one-line
/// error naming the file and the line.
/// </summary>
public static class ConllFile
{
    public static List<TaggedSentence> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        string name = Path.GetFileName(path);
        string[] lines = StrictUtf8.ReadFile(path).Split('\n');
        var sentences = new List<TaggedSentence>();
        List<string> tokens = [], labels = [];
        void EndSentence()
        {
            if (tokens.Count > 0) sentences.Add(new TaggedSentence([.. tokens], [.. labels]));
            tokens.Clear();
            labels.Clear();
        }
        for (int n = 0; n < lines.Length; n++)
        {
            string line = lines[n].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                EndSentence();
                continue;
            }
            string[] columns = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (columns[0] == "-DOCSTART-") continue;
            if (columns.Length < 2)
                throw new FormatException($"{name} line {n + 1}: expected a token and its label separated by a tab or spaces, got '{Shorten(line)}'");
            tokens.Add(columns[0]);
            labels.Add(columns[^1]);
        }
        EndSentence();
        if (sentences.Count == 0) throw new FormatException($"{name}: no tagged tokens (one 'token label' line per token, a blank line between sentences)");
        return sentences;
    }

    /// <summary>Writes token TAB label lines, a blank line after each sentence, through a temporary file.</summary>
    public static void Write(string path, IEnumerable<TaggedSentence> sentences)
    {
        var text = new StringBuilder();
        foreach (var sentence in sentences)
        {
            for (int i = 0; i < sentence.Tokens.Length; i++)
            {
                if (sentence.Tokens[i].Length == 0 || sentence.Tokens[i].Any(char.IsWhiteSpace) || sentence.Labels[i].Length == 0 || sentence.Labels[i].Any(char.IsWhiteSpace))
                    throw new ArgumentException($"token {i} of a sentence ('{sentence.Tokens[i]}' / '{sentence.Labels[i]}') is empty or has white space; CoNLL columns cannot hold it");
                text.Append(sentence.Tokens[i]).Append('\t').Append(sentence.Labels[i]).Append('\n');
            }
            text.Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "…";
}
