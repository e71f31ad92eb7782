using System.Globalization;
using System.Text;

namespace EdgeLstm.Trainer;

/// <summary>
/// Word vectors in memory (one row of <see cref="Dimension"/> floats per word) with the two sanity checks people
/// run on them: nearest neighbours by cosine, and analogies (b − a + c). Stored as the word2vec text format
/// ("count dimension" header, then "word v₁ … v_d" per line), which fastText and gensim also write; GloVe's files
/// (no header) read too.
/// </summary>
public sealed class WordVectors
{
    private readonly Dictionary<string, int> _index;
    private readonly float[] _values;

    public WordVectors(string[] words, float[] values, int dimension)
    {
        if (dimension < 1) throw new ArgumentException($"word vectors need a dimension ≥ 1, got {dimension}");
        if (values.Length != words.Length * dimension) throw new ArgumentException($"{words.Length} words × {dimension} need {words.Length * dimension} values, got {values.Length}");
        _index = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
            if (!_index.TryAdd(words[i], i)) throw new ArgumentException($"word vectors: '{words[i]}' appears twice");
        Words = words;
        _values = values;
        Dimension = dimension;
    }

    public string[] Words { get; }
    public int Dimension { get; }
    public int Count => Words.Length;

    public ReadOnlySpan<float> this[int index] => _values.AsSpan(index * Dimension, Dimension);

    /// <summary>The row of <paramref name="word"/>, or −1.</summary>
    public int IndexOf(string word) => _index.TryGetValue(word, out int i) ? i : -1;

    /// <summary>The <paramref name="count"/> words closest to <paramref name="word"/> by cosine, the word itself left out.</summary>
    public (string Word, double Cosine)[] Neighbours(string word, int count)
    {
        int i = Require(word);
        return Closest(this[i].ToArray(), count, [i]);
    }

    /// <summary>"a is to b as c is to ?": the words closest to b − a + c (each unit length first), a, b and c left out.</summary>
    public (string Word, double Cosine)[] Analogy(string a, string b, string c, int count)
    {
        int ia = Require(a), ib = Require(b), ic = Require(c);
        var target = new float[Dimension];
        AddUnit(target, ib, 1);
        AddUnit(target, ia, -1);
        AddUnit(target, ic, 1);
        return Closest(target, count, [ia, ib, ic]);
    }

    private int Require(string word) => IndexOf(word) is int i and >= 0 ? i : throw new ArgumentException($"'{word}' has no vector (not in the vectors' vocabulary)");

    private void AddUnit(float[] target, int row, float sign)
    {
        var v = this[row];
        float scale = sign / MathF.Max(Norm(v), 1e-12f);
        for (int d = 0; d < Dimension; d++) target[d] += v[d] * scale;
    }

    private (string, double)[] Closest(float[] query, int count, int[] exclude)
    {
        float queryNorm = MathF.Max(Norm(query), 1e-12f);
        var scored = new List<(string, double)>(Count);
        for (int i = 0; i < Count; i++)
        {
            if (Array.IndexOf(exclude, i) >= 0) continue;
            var v = this[i];
            double dot = 0;
            for (int d = 0; d < Dimension; d++) dot += v[d] * query[d];
            scored.Add((Words[i], dot / (queryNorm * MathF.Max(Norm(v), 1e-12f))));
        }
        // Highest cosine first; ties by word, so the listing does not depend on the file's order.
        scored.Sort((x, y) => y.Item2.CompareTo(x.Item2) is int c && c != 0 ? c : string.CompareOrdinal(x.Item1, y.Item1));
        return scored.Take(count).ToArray();
    }

    private static float Norm(ReadOnlySpan<float> v)
    {
        float sum = 0;
        foreach (float x in v) sum += x * x;
        return MathF.Sqrt(sum);
    }

    /// <summary>Writes the word2vec text format through a temporary file.</summary>
    public void Write(string path)
    {
        var text = new StringBuilder();
        text.Append(Count.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(Dimension.ToString(CultureInfo.InvariantCulture)).Append('\n');
        for (int i = 0; i < Count; i++)
        {
            text.Append(Words[i]);
            foreach (float x in this[i]) text.Append(' ').Append(x.ToString(CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// Reads word2vec text (a "count dimension" header) or GloVe text (none: the first line's numbers fix the
    /// dimension). Every line is checked; a bad one is a one-line error naming the file and line.
    /// </summary>
    public static WordVectors Read(string path)
    {
        string name = Path.GetFileName(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{name}: no such vectors file", path);
        var words = new List<string>();
        var values = new List<float>();
        int dimension = 0, declared = -1, lineNumber = 0;
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string raw in File.ReadLines(path, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            lineNumber++;
            string line = raw.TrimEnd('\r', ' ');
            if (line.Length == 0) continue;
            string[] fields = line.Split(' ');
            if (lineNumber == 1 && fields.Length == 2 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out declared)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out dimension))
            {
                if (dimension < 1) throw new FormatException($"{name} line 1: the header's dimension must be ≥ 1, got {dimension}");
                continue;
            }
            if (dimension == 0) dimension = fields.Length - 1;
            if (dimension < 1 || fields.Length != dimension + 1)
                throw new FormatException($"{name} line {lineNumber}: expected a word and {Math.Max(dimension, 1)} numbers separated by spaces, got {fields.Length} fields");
            if (!firstLine.TryAdd(fields[0], lineNumber))
                throw new FormatException($"{name} line {lineNumber}: '{fields[0]}' already has a vector (line {firstLine[fields[0]]})");
            words.Add(fields[0]);
            for (int d = 1; d <= dimension; d++)
            {
                if (!float.TryParse(fields[d], NumberStyles.Float, CultureInfo.InvariantCulture, out float x) || !float.IsFinite(x))
                    throw new FormatException($"{name} line {lineNumber}: '{fields[d]}' (value {d} of '{fields[0]}') is not a finite number");
                values.Add(x);
            }
        }
        if (words.Count == 0) throw new FormatException($"{name}: no word vectors in the file");
        if (declared >= 0 && declared != words.Count)
            throw new FormatException($"{name}: the header promises {declared} words, the file has {words.Count}");
        return new WordVectors(words.ToArray(), values.ToArray(), dimension);
    }
}
