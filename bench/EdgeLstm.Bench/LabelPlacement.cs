namespace EdgeLstm.Bench;

/// <summary>
/// Where each point's label goes on a figure, in pixels: the first of the spots around the point (right, above
/// right, below right, above, below, left…, then rows stacked further above and below, up to seven deep, which the figure
/// joins to their point by a leader line) whose box meets no other label, no marker and no segment of the lines given, and
/// stays inside the data area; where every spot is taken, the one that overlaps least. Greedy, points from left to
/// right: enough for a dozen labels.
/// </summary>
internal static class LabelPlacement
{
    /// <summary>A label's box: left, top, width, height in pixels (y grows downwards).</summary>
    internal readonly record struct Box(double Left, double Top, double Width, double Height)
    {
        public double Right => Left + Width;
        public double Bottom => Top + Height;
        public double Overlap(Box o) =>
            Math.Max(0, Math.Min(Right, o.Right) - Math.Max(Left, o.Left)) * Math.Max(0, Math.Min(Bottom, o.Bottom) - Math.Max(Top, o.Top));
    }

    private const double Gap = 6, Marker = 12;

    /// <param name="points">Each label's point in pixels and its text's size.</param>
    /// <param name="lines">Polylines (the Pareto front) labels should not cross.</param>
    /// <param name="area">The data area; labels stay inside it.</param>
    /// <returns>The top-left corner of each label's box, in the order of <paramref name="points"/>.</returns>
    public static Box[] Place(IReadOnlyList<(double X, double Y, double Width, double Height)> points, IReadOnlyList<(double X, double Y)[]> lines, Box area)
    {
        var obstacles = new List<Box>();
        foreach (var p in points) obstacles.Add(new Box(p.X - Marker / 2, p.Y - Marker / 2, Marker, Marker));
        foreach (var line in lines)
            for (int i = 0; i + 1 < line.Length; i++)
            {
                // The segment as small boxes every few pixels: crude, and enough to keep text off the line.
                var (a, b) = (line[i], line[i + 1]);
                int steps = (int)Math.Ceiling(Math.Max(Math.Abs(b.X - a.X), Math.Abs(b.Y - a.Y)) / 4) + 1;
                for (int s = 0; s <= steps; s++)
                {
                    double t = (double)s / steps;
                    obstacles.Add(new Box(a.X + t * (b.X - a.X) - 1.5, a.Y + t * (b.Y - a.Y) - 1.5, 3, 3));
                }
            }
        var placed = new Box[points.Count];
        var labels = new List<Box>();
        foreach (int i in Enumerable.Range(0, points.Count).OrderBy(i => points[i].X))
        {
            var (x, y, w, h) = points[i];
            Box[] spots =
            [
                new(x + Gap, y - h / 2, w, h), new(x + Gap, y - h - Gap / 2, w, h), new(x + Gap, y + Gap / 2, w, h),
                new(x - w / 2, y - h - Gap, w, h), new(x - w / 2, y + Gap, w, h), new(x - Gap - w, y - h / 2, w, h),
                new(x - Gap - w, y - h - Gap / 2, w, h), new(x - Gap - w, y + Gap / 2, w, h),
                .. Enumerable.Range(1, 7).SelectMany(k => new Box[]
                {
                    new(x + Gap, y - (k + 1) * h - Gap, w, h), new(x + Gap, y + k * h + Gap, w, h),
                    new(x - Gap - w, y - (k + 1) * h - Gap, w, h), new(x - Gap - w, y + k * h + Gap, w, h),
                    new(x - w / 2, y - (k + 1) * h - Gap, w, h), new(x - w / 2, y + k * h + Gap, w, h),
                }),
            ];
            Box best = spots[0];
            double bestCost = double.MaxValue;
            foreach (Box spot in spots)
            {
                double cost = Outside(spot, area) * 10;
                foreach (Box l in labels) cost += spot.Overlap(l) * 10;
                foreach (Box o in obstacles) cost += spot.Overlap(o);
                if (cost < bestCost) (best, bestCost) = (spot, cost);
                if (cost == 0) break;
            }
            placed[i] = best;
            labels.Add(best);
        }
        return placed;
    }

    /// <summary>The point of <paramref name="b"/> nearest to (x, y), and how far it is.</summary>
    public static (double X, double Y, double Distance) Nearest(Box b, double x, double y)
    {
        double nx = Math.Clamp(x, b.Left, b.Right), ny = Math.Clamp(y, b.Top, b.Bottom);
        return (nx, ny, Math.Sqrt((nx - x) * (nx - x) + (ny - y) * (ny - y)));
    }

    /// <summary>The part of <paramref name="b"/> outside <paramref name="area"/>, in square pixels.</summary>
    private static double Outside(Box b, Box area) => b.Width * b.Height - b.Overlap(area);

    /// <summary>Pairs of labels whose boxes overlap: what the figure must not have.</summary>
    public static int Collisions(IReadOnlyList<Box> boxes)
    {
        int n = 0;
        for (int i = 0; i < boxes.Count; i++)
            for (int j = i + 1; j < boxes.Count; j++)
                if (boxes[i].Overlap(boxes[j]) > 0) n++;
        return n;
    }
}
