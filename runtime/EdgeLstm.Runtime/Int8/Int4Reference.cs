using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// The int4 oracle, read through the layout's accessors: y[r] = Σ_g m[r, g] · Σ_{j in g} q[r, j]·x[j], exact in
/// int32 (<see cref="Int4Panels.MaxColumns"/>). Tests check every kernel variant's int4 products against it.
/// </summary>
public static class Int4Reference
{
    public static void MatVec(Int4Panels w, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        for (int r = 0; r < w.Rows; r++)
        {
            int sum = 0;
            for (int g = 0; g < w.Groups; g++)
            {
                int group = 0;
                for (int j = g * Int4Panels.GroupColumns; j < (g + 1) * Int4Panels.GroupColumns; j++) group += w.Value(r, j) * x[j];
                sum += w.Multiplier(r, g) * group;
            }
            y[r] = sum;
        }
    }
}
