using ScottPlot;

namespace EdgeLstm.Bench;

/// <summary>
/// A task's accuracy-against-latency figure (ScottPlot, PNG and SVG side by side): p50 latency on a log axis against
/// the metric, one colour per engine, every point named (EdgeLstm's by variant) where its label meets no other label,
/// marker or the Pareto front (<see cref="LabelPlacement"/>), the front joined by a dashed line.
/// </summary>
internal static class ParetoPlot
{
    /// <returns>Pairs of labels that still overlap (0 unless the figure is too crowded to place them apart).</returns>
    public static int Save(string pngPath, string title, string xLabel, string yLabel,
        IReadOnlyList<(string Engine, string Label, double Micros, double Metric, bool Front)> points)
    {
        const int width = 1000, height = 600;
        var plot = new Plot();
        foreach (var group in points.GroupBy(p => p.Engine))
        {
            var dots = plot.Add.Scatter(group.Select(p => Math.Log10(p.Micros)).ToArray(), group.Select(p => p.Metric).ToArray());
            dots.LineWidth = 0;
            dots.MarkerSize = 10;
            dots.LegendText = group.Key;
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
        plot.Axes.Margins(0.12, 0.15); // room for the labels beside the outermost points
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Bottom); // below the data, never over a point

        // Every point is named (peers too: two ORT int8 rows share a colour). Points on the same spot share a label.
        // The labels are placed in pixels once the layout is known: a first render fixes the axes and the data area.
        var spots = points.GroupBy(p => (Math.Round(Math.Log10(p.Micros), 2), Math.Round(p.Metric, 4)))
            .Select(g => (X: Math.Log10(g.First().Micros), Y: g.First().Metric, Text: string.Join(" / ", g.Select(ShortLabel)))).ToList();
        plot.GetImage(width, height);
        plot.Axes.SetLimits(plot.Axes.GetLimits());
        PixelRect data = plot.RenderManager.LastRender.DataRect;
        const double charWidth = 6.6, lineHeight = 14; // 11-point labels
        var pixels = spots.Select(s => plot.GetPixel(new Coordinates(s.X, s.Y))).ToList();
        var boxes = LabelPlacement.Place(
            spots.Select((s, i) => ((double)pixels[i].X, (double)pixels[i].Y, s.Text.Length * charWidth, lineHeight)).ToList(),
            [front.Select(p => plot.GetPixel(new Coordinates(Math.Log10(p.Micros), p.Metric))).Select(px => ((double)px.X, (double)px.Y)).ToArray()],
            new LabelPlacement.Box(data.Left, data.Top, data.Width, data.Height));
        for (int i = 0; i < spots.Count; i++)
        {
            // A label stacked away from its point gets a thin leader line to it.
            var (nx, ny, distance) = LabelPlacement.Nearest(boxes[i], pixels[i].X, pixels[i].Y);
            if (distance > 12)
            {
                Coordinates end = plot.GetCoordinates(new Pixel((float)nx, (float)ny));
                var leader = plot.Add.Line(spots[i].X, spots[i].Y, end.X, end.Y);
                leader.LineWidth = 0.6f;
                leader.LineColor = Colors.Gray;
            }
            var text = plot.Add.Text(spots[i].Text, spots[i].X, spots[i].Y);
            text.LabelFontSize = 11;
            text.LabelAlignment = Alignment.UpperLeft;
            text.LabelOffsetX = (float)(boxes[i].Left - pixels[i].X);
            text.LabelOffsetY = (float)(boxes[i].Top - pixels[i].Y);
        }
        Write(pngPath, temp => plot.SavePng(temp, width, height));
        Write(Path.ChangeExtension(pngPath, ".svg"), temp => plot.SaveSvg(temp, width, height));
        return LabelPlacement.Collisions(boxes);
    }

    /// <summary>An EdgeLstm point's variant; a peer's engine, shortened (the legend has the full names).</summary>
    private static string ShortLabel((string Engine, string Label, double Micros, double Metric, bool Front) p) =>
        p.Engine == ParetoSuite.EdgeLstmEngine ? p.Label
            : p.Label.Replace("ONNX Runtime DynamicQuantizeLSTM", "ORT int8").Replace("ONNX Runtime LSTM", "ORT float");

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
