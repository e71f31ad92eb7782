using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// What every variant's int4 block product shares: the per-group corrections of x, and a portable block product for
/// the variants without a SIMD one. The kernels multiply the stored nibbles n = q + 8 (unsigned, so they are the
/// unsigned operand of vpdpbusd and pmaddubsw with no sign trick) and take 8·Σx off per group.
/// </summary>
[SkipLocalsInit]
public static class Int4Products
{
    /// <summary>Ints of corrections per group (see <see cref="Corrections"/>).</summary>
    public const int CorrectionsPerGroup = 2;

    /// <summary>
    /// Per group g of 32 columns: [2g] = 8·Σ_{j in g} x[j] (what Σ n·x exceeds Σ q·x by); [2g + 1] the same split by
    /// the 16-bit halves pmaddubsw leaves in a row's lane — 8·Σ over columns j % 4 in {0, 1} in the low half, over
    /// j % 4 in {2, 3} in the high half — for the variants that subtract before widening.
    /// </summary>
    public static void Corrections(ReadOnlySpan<sbyte> x, Span<int> corrections)
    {
        int groups = x.Length / Int4Panels.GroupColumns;
        for (int g = 0; g < groups; g++)
        {
            int low = 0, high = 0;
            ReadOnlySpan<sbyte> xg = x.Slice(g * Int4Panels.GroupColumns, Int4Panels.GroupColumns);
            for (int j = 0; j < xg.Length; j += 4)
            {
                low += xg[j] + xg[j + 1];
                high += xg[j + 2] + xg[j + 3];
            }
            corrections[2 * g] = 8 * (low + high);
            corrections[2 * g + 1] = (ushort)(short)(8 * low) | (8 * high) << 16;
        }
    }

    /// <summary>
    /// One 64-row block (<paramref name="groups"/> groups from <paramref name="w"/>) against x: y[rr] = Σ_g m·Σ q·x for
    /// the block's 64 rows, in plain integer loops. Exact, as every variant's.
    /// </summary>
    public static void PortableBlock(ref byte w, ref sbyte x, int groups, ref int y)
    {
        const int rows = Int4Panels.BlockRows;
        Span<int> sums = stackalloc int[rows];
        for (int rr = 0; rr < rows; rr++) Unsafe.Add(ref y, rr) = 0;
        for (int g = 0; g < groups; g++)
        {
            ref byte group = ref Unsafe.Add(ref w, g * Int4Panels.GroupBytes);
            ref sbyte xg = ref Unsafe.Add(ref x, g * Int4Panels.GroupColumns);
            sums.Clear();
            for (int p = 0; p < 4; p++)
                for (int rr = 0; rr < rows; rr++)
                    for (int k = 0; k < 4; k++)
                    {
                        byte b = Unsafe.Add(ref group, p * Int4Panels.SlotBytes + rr * 4 + k);
                        sums[rr] += ((b & 15) - 8) * Unsafe.Add(ref xg, 8 * p + k) + ((b >> 4) - 8) * Unsafe.Add(ref xg, 8 * p + 4 + k);
                    }
            for (int rr = 0; rr < rows; rr++)
                Unsafe.Add(ref y, rr) += Unsafe.Add(ref group, 4 * Int4Panels.SlotBytes + rr) * sums[rr];
        }
    }
}
