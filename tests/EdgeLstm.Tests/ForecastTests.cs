using EdgeLstm.Data;
using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Tests;

/// <summary>
/// The forecaster end to end: holiday rules, the rows the trainer learns from against the rows the runtime feeds,
/// the runtime against libtorch (recursive rollout and direct), int8 against float on the committed model, and the
/// CLI (forecast CSV and plot, eval, convert, and one-line errors for bad series files).
/// </summary>
public sealed class ForecastTests
{
    [Theory]
    [InlineData(UsHoliday.Thanksgiving, 1987, "1987-11-26")]
    [InlineData(UsHoliday.Memorial, 1988, "1988-05-30")]
    [InlineData(UsHoliday.Memorial, 1970, "1970-05-30")]
    [InlineData(UsHoliday.Labor, 1987, "1987-09-07")]
    [InlineData(UsHoliday.MartinLutherKing, 1988, "1988-01-18")]
    [InlineData(UsHoliday.Presidents, 1988, "1988-02-15")]
    [InlineData(UsHoliday.Presidents, 1970, "1970-02-22")]
    [InlineData(UsHoliday.Columbus, 1987, "1987-10-12")]
    [InlineData(UsHoliday.Veterans, 1975, "1975-10-27")]
    [InlineData(UsHoliday.Veterans, 1978, "1978-11-11")]
    public void HolidaysFollowTheirRulesOfTheYear(UsHoliday holiday, int year, string expected) =>
        Assert.Equal(DateOnly.Parse(expected, CultureInfo.InvariantCulture), UsHolidays.Date(holiday, year));

    [Fact]
    public void WeekendHolidaysAreObservedOnTheNearestWeekday()
    {
        Assert.Null(UsHolidays.Date(UsHoliday.MartinLutherKing, 1985));
        Assert.True(UsHolidays.IsObservedInstead(new DateOnly(1987, 7, 3)));   // July 4, 1987 was a Saturday
        Assert.True(UsHolidays.IsObservedInstead(new DateOnly(1988, 12, 26))); // Christmas 1988 was a Sunday
        Assert.True(UsHolidays.IsObservedInstead(new DateOnly(1982, 12, 31))); // New Year's Day 1983 was a Saturday
        Assert.False(UsHolidays.IsObservedInstead(new DateOnly(1987, 7, 6)));
        var row = new float[CalendarFeatures.Size];
        CalendarFeatures.Fill(new DateOnly(1987, 11, 26), 0.5f, row);
        Assert.Equal(1, row[Array.IndexOf(CalendarFeatures.Names, "thanksgiving")]);
        Assert.Equal(1, row[Array.IndexOf(CalendarFeatures.Names, "thursday")]);
        Assert.Equal(0.5f, row[0]);
        CalendarFeatures.Fill(new DateOnly(1987, 11, 27), 0, row);
        Assert.Equal(1, row[Array.IndexOf(CalendarFeatures.Names, "holiday_after")]);
        Assert.Equal(0, row[Array.IndexOf(CalendarFeatures.Names, "thanksgiving")]);
    }

    /// <summary>
    /// Every row the trainer learns from (history and horizon, with the true values fed) is the row of its target
    /// day as the runtime defines it, holidays included; the history part is exactly what the runtime forecaster builds.
    /// </summary>
    [Fact]
    public void TrainingRowsAreTheRuntimeRows()
    {
        var series = Births();
        var range = series.Range("test", "births");
        var s = new ForecastTrainer(new ForecastOptions()).Describe(series, series.Range("train", "births")).Input.Series!;
        var (rows, targets, windows, steps) = ForecastTrainer.Windows(series, range, s);
        int size = CalendarFeatures.Size;
        var expected = new float[size];
        var runtimeRows = new float[s.History * size];
        bool sawThanksgiving = false;
        for (int w = 0; w < windows; w += 13)
        {
            int origin = range.Start + s.RequiredHistory - 1 + w;
            float level = Forecaster.Level(s, series.Values.AsSpan(range.Start, origin + 1 - range.Start));
            Forecaster.BuildInputs(s, series.DayAt(origin), series.Values.AsSpan(0, origin + 1), level, runtimeRows);
            Assert.Equal(runtimeRows, rows.AsSpan(w * steps * size, s.History * size).ToArray());
            for (int k = 0; k < steps; k++)
            {
                int day = origin + 1 - (s.History - 1) + k; // the day whose value step k predicts
                CalendarFeatures.Fill(series.DayAt(day), Forecaster.Scale(s, series.Values[day - 1], level), expected);
                Assert.Equal(expected, rows.AsSpan((w * steps + k) * size, size).ToArray());
                Assert.Equal(Forecaster.Scale(s, series.Values[day], level), targets[w * steps + k]);
                sawThanksgiving |= series.DayAt(day) == new DateOnly(1987, 11, 26);
            }
        }
        Assert.True(sawThanksgiving);
    }

    [Theory]
    [InlineData(ForecastStrategies.Recursive)]
    [InlineData(ForecastStrategies.Direct)]
    public void RuntimeForecastMatchesLibTorch(string strategy)
    {
        var series = Births();
        var options = new ForecastOptions { Strategy = strategy, HiddenSize = 24, Layers = 2 };
        var description = new ForecastTrainer(options).Describe(series, series.Range("train", "births"));
        var s = description.Input.Series!;
        TorchFixture.Init(11);
        using var network = new ForecastNetwork(description, dropout: 0);
        network.eval();
        using var model = TaskNetworks.ToFloatModel(network);
        using var int8 = CompactModelLoader.Load(ModelFileReader.Parse(
            EdgeLstm.Converter.CompactModelBuilder.Build(model, EdgeLstm.Converter.WeightType.Int8, blockSparse: false, "none", "test"), "int8"));
        using var forecaster = new Forecaster(model);
        using var quantized = new Forecaster(int8);
        var forecast = new float[s.Horizon];
        var forecast8 = new float[s.Horizon];
        foreach (int origin in new[] { 6000, 6543, 7000 })
        {
            forecaster.Forecast(series.DayAt(origin), series.Values.AsSpan(0, origin + 1), forecast);
            quantized.Forecast(series.DayAt(origin), series.Values.AsSpan(0, origin + 1), forecast8);
            float level = Forecaster.Level(s, series.Values.AsSpan(0, origin + 1));
            // One window at this origin, as the trainer builds it; the rollout replaces the fed values after the history.
            var (rows, _, windows, steps) = ForecastTrainer.Windows(series, (origin + 1 - s.RequiredHistory, origin + 1 + s.Horizon), s);
            Assert.Equal(1, windows);
            float[] expected;
            using (no_grad())
            using (var input = tensor(rows, [1, steps, CalendarFeatures.Size]))
            using (var output = strategy == ForecastStrategies.Direct ? network.Forward(input) : network.Rollout(input, s.History))
                expected = output.data<float>().ToArray()[(strategy == ForecastStrategies.Direct ? 0 : s.History - 1)..];
            Assert.Equal(s.Horizon, expected.Length);
            for (int h = 0; h < s.Horizon; h++)
            {
                Assert.InRange(Math.Abs(Forecaster.Scale(s, forecast[h], level) - expected[h]), 0, 1e-4);
                Assert.InRange(Math.Abs(forecast8[h] - forecast[h]) / forecast[h], 0, 0.05); // int8 near float
            }
        }
    }

    [Fact]
    public void CommittedModelInt8IsWithinTwoPercentOfFloatOnValidation()
    {
        var series = Births();
        var valid = series.Range("valid", "births");
        using var floatModel = ModelLoader.Load(Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.safetensors"));
        using var int8Model = CompactModelLoader.Load(ModelFileReader.Read(Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.elstm")));
        IReadOnlyList<HorizonErrors> f, q;
        using (var forecaster = new Forecaster(floatModel)) f = ForecastEvaluator.Evaluate(forecaster, series, valid.Start, valid.End, ForecastEvaluator.StandardHorizons);
        using (var forecaster = new Forecaster(int8Model)) q = ForecastEvaluator.Evaluate(forecaster, series, valid.Start, valid.End, ForecastEvaluator.StandardHorizons);
        for (int i = 0; i < f.Count; i++)
        {
            Assert.InRange(q[i].Model!.Mae / f[i].Model!.Mae, 0.98, 1.02);
            Assert.True(f[i].Model!.Mae < 0.75 * f[i].BestBaselineMae, $"h{f[i].Horizon}: {f[i].Model!.Mae:F1} vs {f[i].BestBaselineMae:F1}");
        }
    }

    [Fact]
    public void CliForecastPrintsTheRuntimeForecastAndDrawsIt()
    {
        using var dir = new TempDirectory();
        string csv = WriteBirths(dir);
        string model = Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.elstm");
        var r = CliRunner.RunDev("forecast", "-m", model, "--history", csv, "--origin", "1988-11-30", "--plot", dir.File("plot.png"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        string[] lines = r.Stdout.TrimEnd().Split('\n');
        Assert.Equal("date,forecast,actual", lines[0]);
        Assert.Equal(29, lines.Length);
        Assert.StartsWith("1988-12-01,", lines[1]);
        Assert.StartsWith("1988-12-28,", lines[^1]);
        var series = Births();
        int origin = series.IndexOf(new DateOnly(1988, 11, 30));
        using var loaded = CompactModelLoader.Load(ModelFileReader.Read(model));
        using var forecaster = new Forecaster(loaded);
        var forecast = new float[28];
        forecaster.Forecast(series.DayAt(origin), series.Values.AsSpan(0, origin + 1), forecast);
        for (int h = 0; h < 28; h++)
        {
            string[] cells = lines[1 + h].Split(',');
            Assert.Equal(forecast[h], float.Parse(cells[1], CultureInfo.InvariantCulture), 0.06f);
            Assert.Equal(series.Values[origin + 1 + h], float.Parse(cells[2], CultureInfo.InvariantCulture));
        }
        Assert.Contains("MAE", r.Stderr);
        byte[] png = File.ReadAllBytes(dir.File("plot.png"));
        Assert.True(png.Length > 10_000, $"plot is {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
    }

    [Fact]
    public void CliEvalAndConvertReportTheForecastersErrors()
    {
        using var dir = new TempDirectory();
        string csv = WriteBirths(dir);
        var eval = CliRunner.Run("eval", "-m", Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.elstm"), csv, "--fold", "valid");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Contains("730 days of", eval.Stdout);
        Assert.Contains("| model | 28 |", eval.Stdout);
        Assert.Contains("| weekday mean, last 4 weeks | 1 | 304.3 |", eval.Stdout);
        var convert = CliRunner.RunDev("convert", Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.safetensors"), "-o", dir.File("f.elstm"),
            "--valid", csv);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        Assert.Contains("MAE (mean of horizons 1..28) on 730 days of split 'valid'", convert.Stdout);
    }

    [Theory]
    [InlineData("date,births\n1987-01-01,10000\n1987-01-03,10100\n", "line 3: 1987-01-03 does not follow 1987-01-01")]
    [InlineData("date,births\n1987-01-01,10000\n1987-13-02,10100\n", "line 3: '1987-13-02' is not a date")]
    [InlineData("date,births\n1987-01-01,10000\n1987-01-02,many\n", "line 3: 'many' is not a number")]
    [InlineData("date,births\n1987-01-01,10000,x\n", "line 2 has 3 columns; the header has 2")]
    public void CliRejectsABadSeriesInOneLine(string content, string message)
    {
        using var dir = new TempDirectory();
        string csv = dir.File("bad.csv");
        File.WriteAllText(csv, content);
        var r = CliRunner.Run("forecast", "-m", Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.elstm"), "--history", csv);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"error: bad.csv: {message}", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Empty(r.Stdout);
    }

    [Fact]
    public void CliForecastNeedsAForecasterAndEnoughHistory()
    {
        using var dir = new TempDirectory();
        string csv = dir.File("short.csv");
        File.WriteAllText(csv, "date,value\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{new DateOnly(1990, 1, 1).AddDays(i):yyyy-MM-dd},{10000 + i}\n")));
        var r = CliRunner.Run("forecast", "-m", Arm64BitIdentityTests.RepoPath("runtime", "models", "births-forecast.elstm"), "--history", csv);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("the model needs 56 days of history up to the origin; there are 30", r.Stderr);
        r = CliRunner.Run("forecast", "-m", Arm64BitIdentityTests.RepoPath("runtime", "models", "sentiment.elstm"), "--history", csv);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is a 'classify' model; 'forecast' needs a 'forecast' model", r.Stderr);
    }

    private static DailySeries Births()
    {
        var (first, births) = UsBirthsCorpus.Load(ForecastBaselineTests.Package());
        return DailySeriesFile.Parse(UsBirthsCorpus.ToCsv(first, births).TrimEnd().Split('\n'), "births");
    }

    private static string WriteBirths(TempDirectory dir)
    {
        var (first, births) = UsBirthsCorpus.Load(ForecastBaselineTests.Package());
        string path = dir.File("births.csv");
        File.WriteAllText(path, UsBirthsCorpus.ToCsv(first, births));
        return path;
    }
}
