using EdgeLstm.Runtime.Forecast;
using ScottPlot;

namespace EdgeLstm.Cli;

/// <summary>A forecast drawn over the weeks before it, with the actual values where known (ScottPlot, PNG).</summary>
internal static class ForecastPlot
{
    public static void Save(string path, DailySeries series, int last, ReadOnlySpan<float> forecast, string title)
    {
        int before = Math.Min(last + 1, Math.Max(56, 2 * forecast.Length));
        var plot = new Plot();
        double X(int index) => series.DayAt(index).ToDateTime(TimeOnly.MinValue).ToOADate();
        var history = plot.Add.Scatter(Enumerable.Range(last + 1 - before, before).Select(X).ToArray(),
            series.Values[(last + 1 - before)..(last + 1)].Select(v => (double)v).ToArray());
        history.LegendText = "history";
        history.MarkerSize = 0;
        history.Color = Colors.Gray;
        int known = Math.Min(forecast.Length, series.Values.Length - 1 - last);
        if (known > 0)
        {
            var actual = plot.Add.Scatter(Enumerable.Range(last + 1, known).Select(X).ToArray(),
                series.Values[(last + 1)..(last + 1 + known)].Select(v => (double)v).ToArray());
            actual.LegendText = "actual";
            actual.MarkerSize = 0;
            actual.Color = Colors.Black;
        }
        var predicted = plot.Add.Scatter(Enumerable.Range(last + 1, forecast.Length).Select(X).ToArray(), forecast.ToArray().Select(v => (double)v).ToArray());
        predicted.LegendText = "forecast";
        predicted.MarkerSize = 3;
        predicted.LineWidth = 2;
        predicted.Color = Colors.OrangeRed;
        var origin = plot.Add.VerticalLine(X(last) + 0.5);
        origin.LinePattern = LinePattern.Dashed;
        origin.Color = Colors.Gray;
        Finish(plot, path, title, 1100);
    }

    /// <summary>
    /// Days [start, end) of the series and the forecasts made from every <paramref name="horizon"/>-th day before
    /// them (each a run of <paramref name="horizon"/> days from what was known at its origin), as eval scores them.
    /// </summary>
    public static void SaveEvaluation(string path, DailySeries series, int start, int end, int horizon, Func<int, float[]> forecastFrom, string title)
    {
        var plot = new Plot();
        double X(int index) => series.DayAt(index).ToDateTime(TimeOnly.MinValue).ToOADate();
        var actual = plot.Add.Scatter(Enumerable.Range(start, end - start).Select(X).ToArray(), series.Values[start..end].Select(v => (double)v).ToArray());
        actual.LegendText = "actual";
        actual.MarkerSize = 0;
        actual.Color = Colors.Black.WithAlpha(0.7);
        bool first = true;
        for (int origin = start - 1; origin + 1 < end; origin += horizon)
        {
            float[] forecast = forecastFrom(origin);
            int days = Math.Min(horizon, end - origin - 1);
            var line = plot.Add.Scatter(Enumerable.Range(origin + 1, days).Select(X).ToArray(), forecast[..days].Select(v => (double)v).ToArray());
            line.MarkerSize = 0;
            line.Color = Colors.OrangeRed;
            if (first) line.LegendText = $"{horizon}-day forecasts, one from every {horizon}th day";
            first = false;
        }
        Finish(plot, path, title, 1600);
    }

    private static void Finish(Plot plot, string path, string title, int width)
    {
        plot.Axes.DateTimeTicksBottom();
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperLeft);
        // Through a temporary sibling and a rename, like every output.
        string temp = path + ".tmp-" + Environment.ProcessId + ".png";
        try
        {
            plot.SavePng(temp, width, 450);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
