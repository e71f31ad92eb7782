using ScottPlot;

namespace EdgeLstm.Bench;

/// <summary>
/// A task's accuracy-against-latency figure (ScottPlot, PNG and SVG side by side): p50 latency on a log axis against
/// the metric, one colour per engine, each EdgeLstm point named by its variant, the Pareto front joined by a dashed line.
/// </summary>
internal static class ParetoPlot
{
    public static void Save(string pngPath, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Engine, string Label, double Micros, double Metric, bool Front)> points)
    {
        var plot = new Plot();
        foreach (var group in points.GroupBy(p => p.Engine))
        {
            var dots = plot.Add.Scatter(group.Select(p => Math.Log10(p.Micros)).ToArray(), group.Select(p => p.Metric).ToArray());
            dots.LineWidth = 0;
            dots.MarkerSize = 10;
            dots.LegendText = group.Key;
            if (group.Key != ParetoSuite.EdgeLstmEngine) continue;
            // Variants that land on the same spot (a pruning that changed nothing measurable) share one label.
            // Labels alternate below and above their points, so that neighbours in latency do not write over each other.
            int n = 0;
            foreach (var spot in group.GroupBy(p => (Math.Round(Math.Log10(p.Micros), 2), Math.Round(p.Metric, 4))).OrderBy(g => g.Key.Item1))
            {
                var first = spot.First();
                var text = plot.Add.Text(string.Join(" / ", spot.Select(p => p.Label)), Math.Log10(first.Micros), first.Metric);
                text.LabelFontSize = 11;
                text.LabelOffsetX = 6;
                text.LabelOffsetY = n++ % 2 == 0 ? -6 : 14;
            }
        }
        var front = points.Where(p => p.Front).OrderBy(p => p.Micros).ToArray();
        if (front.Length > 1)
        {
            var line = plot.Add.Scatter(front.Select(p => Math.Log10(p.Micros)).ToArray(), front.Select(p => p.Metric).ToArray());
            line.MarkerSize = 0;
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            line.LegendText = "Pareto front";
        }
        // Log scale: the data are log10(µs); labelled ticks at 1, 2 and 5 × 10^k µs, the other integers minor.
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        double low = points.Min(p => p.Micros), high = points.Max(p => p.Micros);
        for (int k = (int)Math.Floor(Math.Log10(low)) - 1; k <= (int)Math.Ceiling(Math.Log10(high)); k++)
            for (int m = 1; m <= 9; m++)
            {
                double us = m * Math.Pow(10, k);
                if (m is 1 or 2 or 5) ticks.AddMajor(Math.Log10(us), us.ToString(us >= 1 ? "#,0" : "G4", CultureInfo.InvariantCulture));
                else ticks.AddMinor(Math.Log10(us));
            }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Margins(0.12, 0.15); // room for the labels under the lowest points
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Bottom); // below the data, never over a point
        Write(pngPath, temp => plot.SavePng(temp, 1000, 600));
        Write(Path.ChangeExtension(pngPath, ".svg"), temp => plot.SaveSvg(temp, 1000, 600));
    }

    /// <summary>Through a temporary sibling and a rename, like every output.</summary>
    private static void Write(string path, Action<string> save)
    {
        string temp = path + ".tmp-" + Environment.ProcessId + Path.GetExtension(path);
        try
        {
            save(temp);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
