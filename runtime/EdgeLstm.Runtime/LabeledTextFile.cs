namespace EdgeLstm.Runtime;

/// <summary>One labelled text: its split or fold, where it came from, its label and the text.</summary>
public sealed record LabeledText(string Fold, string Source, string Label, string Text);

/// <summary>
/// Labelled texts as UTF-8 tab-separated values with a header naming the columns: <c>label</c> and <c>text</c>
/// are required, <c>fold</c> (a fold number or a split name) and <c>source</c> optional. Tabs and line breaks
/// inside a text are written as spaces. `edgelstm-data` writes these files; `edgelstm-train classify` and
/// `edgelstm eval` read them.
/// </summary>
public static class LabeledTextFile
{
    public static IReadOnlyList<LabeledText> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file", path);
        string[] lines = StrictUtf8.ReadFile(path).Split('\n');
        string[] header = lines[0].TrimEnd('\r').Split('\t');
        int Column(string name, bool required)
        {
            int i = Array.IndexOf(header, name);
            if (i < 0 && required) throw new FormatException($"{path}: line 1 (the header) has no '{name}' column; expected tab-separated columns label, text and optionally fold, source");
            return i;
        }
        int label = Column("label", true), text = Column("text", true), fold = Column("fold", false), source = Column("source", false);
        var rows = new List<LabeledText>(lines.Length);
        for (int n = 1; n < lines.Length; n++)
        {
            string line = lines[n].TrimEnd('\r');
            if (line.Length == 0) continue;
            string[] cells = line.Split('\t');
            if (cells.Length != header.Length) throw new FormatException($"{path}: line {n + 1} has {cells.Length} columns; the header has {header.Length}");
            if (cells[label].Length == 0) throw new FormatException($"{path}: line {n + 1} has an empty label");
            rows.Add(new LabeledText(fold < 0 ? "" : cells[fold], source < 0 ? "" : cells[source], cells[label], cells[text]));
        }
        if (rows.Count == 0) throw new FormatException($"{path}: no labelled texts after the header");
        return rows;
    }

    public static void Write(string path, IEnumerable<LabeledText> rows)
    {
        var builder = new StringBuilder("fold\tsource\tlabel\ttext\n");
        foreach (LabeledText row in rows)
            builder.Append(Clean(row.Fold)).Append('\t').Append(Clean(row.Source)).Append('\t').Append(Clean(row.Label)).Append('\t').Append(Clean(row.Text)).Append('\n');
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(builder.ToString()), overwrite: true);
    }

    private static string Clean(string s) => s.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
