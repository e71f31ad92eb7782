using System.Globalization;

namespace EdgeLstm.Runtime.Forecast;

/// <summary>A daily series: consecutive days from <see cref="First"/>; <see cref="Splits"/> when the file names each day's split.</summary>
public sealed record DailySeries(DateOnly First, float[] Values, string[]? Splits)
{
    public DateOnly Last => First.AddDays(Values.Length - 1);
    public DateOnly DayAt(int index) => First.AddDays(index);
    public int IndexOf(DateOnly day) => day.DayNumber - First.DayNumber;

    /// <summary>Index range [start, end) of the days in <paramref name="split"/>, which must be one run of days.</summary>
    public (int Start, int End) Range(string split, string source)
    {
        if (Splits is null) throw new FormatException($"{source}: there is no split column; the file needs date,value,split");
        int start = Array.IndexOf(Splits, split), end = Array.LastIndexOf(Splits, split) + 1;
        if (start < 0) throw new FormatException($"{source}: no day is in split '{split}'; splits present: {string.Join(", ", Splits.Distinct())}");
        for (int i = start; i < end; i++)
            if (Splits[i] != split) throw new FormatException($"{source}: the days of split '{split}' are not one run (line {i + 2} is '{Splits[i]}')");
        return (start, end);
    }
}

/// <summary>
/// Reads a daily series from CSV: a header, then <c>date,value</c> (ISO dates, one row per consecutive day) and an
/// optional third column <c>split</c> (train, valid, test), as <c>edgelstm-data births</c> writes it. Any fault is
/// a <see cref="FormatException"/> of one line naming the file and line.
/// </summary>
public static class DailySeriesFile
{
    public static DailySeries Read(string path)
    {
        string name = Path.GetFileName(path);
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new FormatException($"{path}: cannot read: {e.Message}"); }
        return Parse(lines, name);
    }

    public static DailySeries Parse(IReadOnlyList<string> lines, string name)
    {
        if (lines.Count < 2) throw new FormatException($"{name}: expected a header line and at least one day");
        string[] header = lines[0].Trim().Split(',');
        if (header.Length is < 2 or > 3 || (header.Length == 3 && header[2].Trim() != "split"))
            throw new FormatException($"{name}: line 1 must be a header date,value or date,value,split; got '{lines[0].Trim()}'");
        bool hasSplits = header.Length == 3;
        var values = new List<float>(lines.Count);
        var splits = hasSplits ? new List<string>(lines.Count) : null;
        DateOnly first = default;
        for (int i = 1; i < lines.Count; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0) continue;
            string[] cells = line.Split(',');
            if (cells.Length != header.Length)
                throw new FormatException($"{name}: line {i + 1} has {cells.Length} columns; the header has {header.Length}");
            if (!DateOnly.TryParseExact(cells[0].Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                throw new FormatException($"{name}: line {i + 1}: '{cells[0]}' is not a date (yyyy-mm-dd)");
            if (!float.TryParse(cells[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                throw new FormatException($"{name}: line {i + 1}: '{cells[1]}' is not a number");
            if (values.Count == 0) first = day;
            else if (day != first.AddDays(values.Count))
                throw new FormatException($"{name}: line {i + 1}: {day:yyyy-MM-dd} does not follow {first.AddDays(values.Count - 1):yyyy-MM-dd}; the series needs one row per consecutive day");
            values.Add(value);
            splits?.Add(cells[2].Trim());
        }
        if (values.Count == 0) throw new FormatException($"{name}: no days after the header");
        return new DailySeries(first, values.ToArray(), splits?.ToArray());
    }
}
