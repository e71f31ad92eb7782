namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench pareto-plots [docs/pareto.md]`: draws the figures again from the tables `bench pareto` wrote, so a
/// change to the figures does not need the measurements again (10–35 minutes).
/// </summary>
internal static class ParetoFigures
{
    public static int Redraw(string markdown)
    {
        string plots = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(markdown))!, "pareto");
        string[] lines = File.ReadAllLines(markdown);
        int figures = 0, overlapping = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("## ", StringComparison.Ordinal)) continue;
            string task = lines[i][3..];
            // "`model`; METRIC (lower is better) on …; latency per ITEM." (then a task's note) then the figure's line, then the table.
            var about = System.Text.RegularExpressions.Regex.Match(lines[i + 1], @"^`[^`]*`; (.+) \((lower|higher) is better\) on .*?; latency per ([^.]+)\.( .*)?$");
            var figure = System.Text.RegularExpressions.Regex.Match(lines[i + 3], @"\]\(pareto/([^)]+)\.png\)");
            if (!about.Success || !figure.Success) throw new FormatException($"{markdown}: section '{task}' is not as `bench pareto` writes it");
            string metric = about.Groups[1].Value, item = about.Groups[3].Value;
            var points = new List<(string Engine, string Label, double Micros, double Metric, bool Front)>();
            for (int j = i + 7; j < lines.Length && lines[j].StartsWith("| ", StringComparison.Ordinal); j++)
            {
                string[] c = lines[j].Split('|').Select(x => x.Trim()).ToArray(); // "", engine, variant, bytes, metric, vs float, mean, p50, p99, first, load, rss, front, ""
                if (c[7] == "—") continue;
                string label = c[1] == ParetoSuite.EdgeLstmEngine ? c[2] : c[2].EndsWith(" threads", StringComparison.Ordinal) ? $"{c[1]}, {c[2][(c[2].LastIndexOf(',') + 2)..]}" : c[1];
                points.Add((c[1], label, double.Parse(c[7], CultureInfo.InvariantCulture), double.Parse(c[4], CultureInfo.InvariantCulture), c[12] == "★"));
            }
            string png = Path.Combine(plots, figure.Groups[1].Value + ".png");
            int collisions = ParetoPlot.Save(png, $"{task}: {metric} against latency", $"µs per {item}, p50 (log scale)", metric, points);
            Console.WriteLine($"{png}: {points.Count} points, {(collisions == 0 ? "no labels overlap" : $"{collisions} pairs of labels overlap")}");
            figures++;
            overlapping += collisions;
        }
        return figures > 0 && overlapping == 0 ? 0 : 1;
    }
}
