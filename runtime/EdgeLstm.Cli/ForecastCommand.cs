using EdgeLstm.Runtime.Forecast;

namespace EdgeLstm.Cli;

/// <summary>
/// `edgelstm forecast`: the next days of a daily series, from its history, as CSV (date, forecast, and the actual
/// value where the file already holds it); `--plot` draws history, forecast and actuals.
/// </summary>
internal static class ForecastCommand
{
    public static Command Create()
    {
        var model = ModelSource.CreateOption();
        var history = new Option<FileInfo>("--history") { Description = "Daily series CSV: header date,value (or date,value,split), one row per consecutive day", Required = true };
        var horizon = new Option<int>("--horizon") { Description = "Days to forecast (default: the model's horizon)" };
        var origin = new Option<string?>("--origin") { Description = "The last day treated as known (yyyy-mm-dd; default: the file's last day); later rows are the actual values to compare with" };
        var plot = new Option<FileInfo?>("--plot") { Description = "Also draw the last weeks of history, the forecast and the actual values to this PNG" };
        var threads = ModelSource.CreateThreadsOption();
        var command = new Command("forecast", "Forecast the next days of a daily series with a forecaster model; prints date,forecast[,actual] as CSV")
        {
            model, history, horizon, origin, plot, threads,
        };
        command.SetAction(result => UserErrors.Run(() =>
        {
            FileInfo file = result.GetValue(history)!;
#if !PLOTS
            if (result.GetValue(plot) is not null)
                throw new NotSupportedException($"--plot {DevToolVerbs.Hint}");
#endif
            if (!file.Exists) throw new FileNotFoundException($"{file.FullName}: no such file", file.FullName);
            using var source = ModelSource.Load(result.GetValue(model));
            var forecasterModel = source.Require(ModelTask.Forecaster, "forecast");
            var s = forecasterModel.Description.Input.Series!;
            var series = DailySeriesFile.Read(file.FullName);
            int last = series.Values.Length - 1;
            if (result.GetValue(origin) is { } text)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                    throw new ArgumentException($"--origin '{text}' is not a date (yyyy-mm-dd)");
                last = series.IndexOf(day);
                if (last < 0 || last >= series.Values.Length)
                    throw new ArgumentException($"--origin {day:yyyy-MM-dd} is outside {file.Name} ({series.First:yyyy-MM-dd}..{series.Last:yyyy-MM-dd})");
            }
            if (last + 1 < s.RequiredHistory)
                throw new ArgumentException($"{file.Name}: the model needs {s.RequiredHistory} days of history up to the origin; there are {last + 1}");
            int days = result.GetValue(horizon) is > 0 and int h ? h : s.Horizon;
            if (days > 3650) throw new ArgumentException($"--horizon must be 1..3650, got {days}");
            var forecast = new float[days];
            using (var forecaster = new Forecaster(forecasterModel, m => ModelSource.CreateSession(m, result.GetValue(threads))))
                forecaster.Forecast(series.DayAt(last), series.Values.AsSpan(0, last + 1), forecast);

            var csv = new StringBuilder("date,forecast,actual\n");
            var errors = new ForecastErrors();
            for (int k = 0; k < days; k++)
            {
                int t = last + 1 + k;
                string actual = t < series.Values.Length ? series.Values[t].ToString(CultureInfo.InvariantCulture) : "";
                if (t < series.Values.Length) errors.Add(forecast[k], series.Values[t]);
                csv.Append(CultureInfo.InvariantCulture, $"{series.DayAt(t):yyyy-MM-dd},{forecast[k]:F1},{actual}\n");
            }
            Console.Write(csv.ToString());
            if (errors.Count > 0)
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MAE {errors.Mae:F1}, MAPE {errors.Mape:F2}% over the {errors.Count} forecast days with actual values"));
            if (result.GetValue(plot) is { } png)
            {
#if PLOTS
                try
                {
                    ForecastPlot.Save(png.FullName, series, last, forecast, $"{Path.GetFileName(source.Name)}: {days}-day forecast from {series.DayAt(last):yyyy-MM-dd}");
                }
                catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
                {
                    throw new IOException($"--plot: the plotting library did not load (libSkiaSharp.so belongs beside the edgelstm executable): {e.GetBaseException().Message}");
                }
                Console.Error.WriteLine($"plot: {png.FullName}");
#endif
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
