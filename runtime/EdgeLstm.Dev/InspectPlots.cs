using EdgeLstm.Runtime.Inspection;
using ScottPlot;

namespace EdgeLstm.Cli;

/// <summary>PNG versions of the inspect page's figures, for documents (ScottPlot): gate saturation and float/int8 drift.</summary>
internal static class InspectPlots
{
    public static IReadOnlyList<string> Save(string directory, TextInspectionResult run, string title)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        StateTrace trace = run.Trace;
        Color[] colours = [Colors.C0, Colors.C1, Colors.C2];
        for (int layer = 0; layer < trace.HiddenSizes.Length; layer++)
        {
            var plot = new Plot();
            for (int gate = 0; gate < StateTrace.Gates.Length; gate++)
            {
                int n = trace.HiddenSizes[layer];
                int l = layer, g = gate;
                var dots = plot.Add.Scatter(Enumerable.Range(0, n).Select(u => trace.LowFraction(l, g, u)).ToArray(),
                    Enumerable.Range(0, n).Select(u => trace.HighFraction(l, g, u)).ToArray());
                dots.LineWidth = 0;
                dots.MarkerSize = 4;
                dots.Color = colours[gate].WithAlpha(0.6);
                dots.LegendText = StateTrace.Gates[gate] + " gate";
            }
            var diagonal = plot.Add.Line(0, 1, 1, 0);
            diagonal.Color = Colors.LightGray;
            plot.Axes.SetLimits(0, 1, 0, 1);
            plot.XLabel("fraction of steps left-saturated (< 0.1)");
            plot.YLabel("fraction of steps right-saturated (> 0.9)");
            plot.Title($"{title}: gate saturation, layer {layer}");
            plot.ShowLegend(Alignment.UpperRight);
            written.Add(Write(plot, Path.Combine(directory, $"saturation-layer{layer}.png"), 600, 560));
        }
        var drift = new Plot();
        for (int layer = 0; layer < run.Drift.Length; layer++)
        {
            var line = drift.Add.Signal(run.Drift[layer].Select(v => (double)v).ToArray());
            line.LegendText = $"layer {layer}";
            line.Color = colours[layer % colours.Length];
        }
        drift.XLabel("step (token)");
        drift.YLabel("max |h_float − h_int8| over the layer's units");
        drift.Title($"{title}: where int8 departs from float");
        drift.ShowLegend(Alignment.UpperRight);
        written.Add(Write(drift, Path.Combine(directory, "drift.png"), 1100, 400));
        return written;
    }

    /// <summary>Through a temporary sibling and a rename, like every output.</summary>
    private static string Write(Plot plot, string path, int width, int height)
    {
        string temp = path + ".tmp-" + Environment.ProcessId + ".png";
        try
        {
            plot.SavePng(temp, width, height);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return path;
    }
}
