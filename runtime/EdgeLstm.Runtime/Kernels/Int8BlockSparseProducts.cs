using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// Block-sparse products (1×16 blocks, docs/format.md) for one instruction set: by pairs of blocks against a pair
/// table (<see cref="BlockPairIndex"/>) on the variants with 256-bit block pairs, else block by block. Exact int32
/// sums like the dense products; x is already biased for the variants that take x + 128.
/// </summary>
[SkipLocalsInit]
internal static class Int8BlockSparseProducts<TDot> where TDot : struct, IInt8Dot
{
    /// <param name="pairs">Run by pairs against the table: the variant has block pairs and the matrix a pair index.</param>
    public static void MatVec(BlockSparseLayout w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> xs, Span<int> y, bool pairs)
    {
        if (!pairs)
        {
            SparseRows(w, rowSums, xs, y);
            return;
        }
        // At most 15.5 KB (512 columns, BlockPairIndex.MaxBlockColumns); rebuilt for every product. On a
        // 64-byte boundary, so no 32-byte entry straddles two cache lines (split loads cost 5–12% here).
        int tableBytes = BlockPairIndex.TableBytes(w.PairBlockColumns);
        Span<sbyte> table = AlignTo64(stackalloc sbyte[tableBytes + 63], tableBytes);
        BlockPairIndex.BuildTable(xs, table);
        if (w.UniformPairs > 0) UniformPairRows(w, rowSums, table, y);
        else PairRows(w, rowSums, xs, table, y);
    }

    /// <summary>
    /// Every row has the same number of pairs and no odd block: four rows at a time straight through the values
    /// and the pair offsets, which are then four rows' worth of consecutive entries.
    /// </summary>
    private static void UniformPairRows(BlockSparseLayout w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> table, Span<int> y)
    {
        nint n = w.UniformPairs;
        ref ushort o = ref Unsafe.Add(ref MemoryMarshal.GetReference(w.PairOffsets), (nint)w.PairStart[0]);
        ref sbyte v = ref Unsafe.Add(ref MemoryMarshal.GetReference(w.Values), (nint)w.RowStart[0] * 16);
        ref sbyte tr = ref MemoryMarshal.GetReference(table);
        ref int yr = ref MemoryMarshal.GetReference(y);
        ref int sr = ref MemoryMarshal.GetReference(rowSums);
        int r = 0;
        for (; r + 4 <= y.Length; r += 4)
        {
            FourStridedRowPairs(ref v, n * 32, ref o, n, ref tr, out var a0, out var a1, out var a2, out var a3);
            Vector128<int> sums = TDot.Reduce4(a0, a1, a2, a3);
            if (TDot.BiasedActivations) sums -= Vector128.LoadUnsafe(ref sr, (nuint)r) << 7;
            sums.StoreUnsafe(ref yr, (nuint)r);
            o = ref Unsafe.Add(ref o, 4 * n);
            v = ref Unsafe.Add(ref v, 4 * n * 32);
        }
        for (; r < y.Length; r++)
        {
            Vector256<int> acc = default;
            for (nint k = 0; k < n; k++)
                acc = TDot.AccumulatePair(acc, ref Unsafe.Add(ref v, k * 32), ref Unsafe.Add(ref tr, Unsafe.Add(ref o, k)));
            y[r] = Vector256.Sum(acc) - (TDot.BiasedActivations ? rowSums[r] << 7 : 0);
            o = ref Unsafe.Add(ref o, n);
            v = ref Unsafe.Add(ref v, n * 32);
        }
    }

    /// <summary>
    /// Pairs [0, n) of four consecutive rows of n pairs each (values from <paramref name="v"/>, a row every
    /// <paramref name="stride"/> bytes; offsets from <paramref name="o"/>, a row every n), unreduced. One base
    /// pointer per stream instead of four keeps the loop's addresses in registers: with four, the JIT spilled
    /// three pointers and reloaded them every iteration (15–20% slower, .cache/s7/pairs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourStridedRowPairs(ref sbyte v, nint stride, ref ushort o, nint n, ref sbyte tr,
        out Vector256<int> s0, out Vector256<int> s1, out Vector256<int> s2, out Vector256<int> s3)
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        nint k = 0;
        for (; k + 4 <= n; k += 4)
        {
            ulong f0 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o, k)));
            ulong f1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o, n + k)));
            ulong f2 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o, 2 * n + k)));
            ulong f3 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o, 3 * n + k)));
            ref sbyte vk = ref Unsafe.Add(ref v, k * 32);
            a0 = TDot.AccumulatePair(a0, ref vk, ref Unsafe.Add(ref tr, (nuint)(ushort)f0));
            a1 = TDot.AccumulatePair(a1, ref Unsafe.Add(ref vk, stride), ref Unsafe.Add(ref tr, (nuint)(ushort)f1));
            a2 = TDot.AccumulatePair(a2, ref Unsafe.Add(ref vk, 2 * stride), ref Unsafe.Add(ref tr, (nuint)(ushort)f2));
            a3 = TDot.AccumulatePair(a3, ref Unsafe.Add(ref vk, 3 * stride), ref Unsafe.Add(ref tr, (nuint)(ushort)f3));
            b0 = TDot.AccumulatePair(b0, ref Unsafe.Add(ref vk, 32), ref Unsafe.Add(ref tr, (nuint)(ushort)(f0 >> 16)));
            b1 = TDot.AccumulatePair(b1, ref Unsafe.Add(ref vk, stride + 32), ref Unsafe.Add(ref tr, (nuint)(ushort)(f1 >> 16)));
            b2 = TDot.AccumulatePair(b2, ref Unsafe.Add(ref vk, 2 * stride + 32), ref Unsafe.Add(ref tr, (nuint)(ushort)(f2 >> 16)));
            b3 = TDot.AccumulatePair(b3, ref Unsafe.Add(ref vk, 3 * stride + 32), ref Unsafe.Add(ref tr, (nuint)(ushort)(f3 >> 16)));
            a0 = TDot.AccumulatePair(a0, ref Unsafe.Add(ref vk, 64), ref Unsafe.Add(ref tr, (nuint)(ushort)(f0 >> 32)));
            a1 = TDot.AccumulatePair(a1, ref Unsafe.Add(ref vk, stride + 64), ref Unsafe.Add(ref tr, (nuint)(ushort)(f1 >> 32)));
            a2 = TDot.AccumulatePair(a2, ref Unsafe.Add(ref vk, 2 * stride + 64), ref Unsafe.Add(ref tr, (nuint)(ushort)(f2 >> 32)));
            a3 = TDot.AccumulatePair(a3, ref Unsafe.Add(ref vk, 3 * stride + 64), ref Unsafe.Add(ref tr, (nuint)(ushort)(f3 >> 32)));
            b0 = TDot.AccumulatePair(b0, ref Unsafe.Add(ref vk, 96), ref Unsafe.Add(ref tr, (nuint)(f0 >> 48)));
            b1 = TDot.AccumulatePair(b1, ref Unsafe.Add(ref vk, stride + 96), ref Unsafe.Add(ref tr, (nuint)(f1 >> 48)));
            b2 = TDot.AccumulatePair(b2, ref Unsafe.Add(ref vk, 2 * stride + 96), ref Unsafe.Add(ref tr, (nuint)(f2 >> 48)));
            b3 = TDot.AccumulatePair(b3, ref Unsafe.Add(ref vk, 3 * stride + 96), ref Unsafe.Add(ref tr, (nuint)(f3 >> 48)));
        }
        for (; k < n; k++)
        {
            ref sbyte vk = ref Unsafe.Add(ref v, k * 32);
            a0 = TDot.AccumulatePair(a0, ref vk, ref Unsafe.Add(ref tr, Unsafe.Add(ref o, k)));
            a1 = TDot.AccumulatePair(a1, ref Unsafe.Add(ref vk, stride), ref Unsafe.Add(ref tr, Unsafe.Add(ref o, n + k)));
            a2 = TDot.AccumulatePair(a2, ref Unsafe.Add(ref vk, 2 * stride), ref Unsafe.Add(ref tr, Unsafe.Add(ref o, 2 * n + k)));
            a3 = TDot.AccumulatePair(a3, ref Unsafe.Add(ref vk, 3 * stride), ref Unsafe.Add(ref tr, Unsafe.Add(ref o, 3 * n + k)));
        }
        s0 = a0 + b0;
        s1 = a1 + b1;
        s2 = a2 + b2;
        s3 = a3 + b3;
    }

    /// <summary>
    /// Block-sparse rows by pairs of blocks against the pair table, four rows at a time for as many pairs as all
    /// four have, then each row's remaining pairs and odd block.
    /// </summary>
    private static void PairRows(BlockSparseLayout w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, ReadOnlySpan<sbyte> table, Span<int> y)
    {
        // The layout was validated at load and the pair index built from it, so the loops read without bounds checks.
        ref uint rowStart = ref MemoryMarshal.GetReference(w.RowStart);
        ref uint pairStart = ref MemoryMarshal.GetReference(w.PairStart);
        ref ushort offsets = ref MemoryMarshal.GetReference(w.PairOffsets);
        ref ushort columns = ref MemoryMarshal.GetReference(w.BlockColumns);
        ref sbyte values = ref MemoryMarshal.GetReference(w.Values);
        ref sbyte tr = ref MemoryMarshal.GetReference(table);
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        ref int yr = ref MemoryMarshal.GetReference(y);
        ref int sr = ref MemoryMarshal.GetReference(rowSums);
        int r = 0;
        for (; r + 4 <= y.Length; r += 4)
        {
            nint q0 = (nint)Unsafe.Add(ref pairStart, r), q1 = (nint)Unsafe.Add(ref pairStart, r + 1);
            nint q2 = (nint)Unsafe.Add(ref pairStart, r + 2), q3 = (nint)Unsafe.Add(ref pairStart, r + 3), q4 = (nint)Unsafe.Add(ref pairStart, r + 4);
            nint n = Math.Min(Math.Min(q1 - q0, q2 - q1), Math.Min(q3 - q2, q4 - q3));
            ref sbyte v0 = ref Unsafe.Add(ref values, (nint)Unsafe.Add(ref rowStart, r) * 16);
            ref sbyte v1 = ref Unsafe.Add(ref values, (nint)Unsafe.Add(ref rowStart, r + 1) * 16);
            ref sbyte v2 = ref Unsafe.Add(ref values, (nint)Unsafe.Add(ref rowStart, r + 2) * 16);
            ref sbyte v3 = ref Unsafe.Add(ref values, (nint)Unsafe.Add(ref rowStart, r + 3) * 16);
            ref ushort o0 = ref Unsafe.Add(ref offsets, q0), o1 = ref Unsafe.Add(ref offsets, q1);
            ref ushort o2 = ref Unsafe.Add(ref offsets, q2), o3 = ref Unsafe.Add(ref offsets, q3);
            FourRowPairs(ref v0, ref v1, ref v2, ref v3, ref o0, ref o1, ref o2, ref o3, n, ref tr, out var a0, out var a1, out var a2, out var a3);
            a0 = PairRowTail(a0, ref v0, ref o0, n, q1 - q0, ref rowStart, r, ref columns, ref tr, ref xr);
            a1 = PairRowTail(a1, ref v1, ref o1, n, q2 - q1, ref rowStart, r + 1, ref columns, ref tr, ref xr);
            a2 = PairRowTail(a2, ref v2, ref o2, n, q3 - q2, ref rowStart, r + 2, ref columns, ref tr, ref xr);
            a3 = PairRowTail(a3, ref v3, ref o3, n, q4 - q3, ref rowStart, r + 3, ref columns, ref tr, ref xr);
            Vector128<int> sums = TDot.Reduce4(a0, a1, a2, a3);
            if (TDot.BiasedActivations) sums -= Vector128.LoadUnsafe(ref sr, (nuint)r) << 7;
            sums.StoreUnsafe(ref yr, (nuint)r);
        }
        for (; r < y.Length; r++)
        {
            nint q = (nint)Unsafe.Add(ref pairStart, r);
            Vector256<int> acc = PairRowTail(default, ref Unsafe.Add(ref values, (nint)Unsafe.Add(ref rowStart, r) * 16), ref Unsafe.Add(ref offsets, q),
                0, (nint)Unsafe.Add(ref pairStart, r + 1) - q, ref rowStart, r, ref columns, ref tr, ref xr);
            y[r] = Vector256.Sum(acc) - (TDot.BiasedActivations ? rowSums[r] << 7 : 0);
        }
    }

    /// <summary>
    /// Pairs [0, n) of four rows (values v, table offsets o), unreduced. Two accumulators per row keep eight
    /// multiply-add chains in flight; four pairs' offsets come in one 8-byte load per row, because the loop is
    /// bound by loads (offset, table entry and weights for every pair).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRowPairs(ref sbyte v0, ref sbyte v1, ref sbyte v2, ref sbyte v3, ref ushort o0, ref ushort o1, ref ushort o2, ref ushort o3,
        nint n, ref sbyte tr, out Vector256<int> s0, out Vector256<int> s1, out Vector256<int> s2, out Vector256<int> s3)
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        nint k = 0;
        for (; k + 4 <= n; k += 4)
        {
            ulong f0 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o0, k)));
            ulong f1 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o1, k)));
            ulong f2 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o2, k)));
            ulong f3 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref o3, k)));
            a0 = TDot.AccumulatePair(a0, ref Unsafe.Add(ref v0, k * 32), ref Unsafe.Add(ref tr, (nuint)(ushort)f0));
            a1 = TDot.AccumulatePair(a1, ref Unsafe.Add(ref v1, k * 32), ref Unsafe.Add(ref tr, (nuint)(ushort)f1));
            a2 = TDot.AccumulatePair(a2, ref Unsafe.Add(ref v2, k * 32), ref Unsafe.Add(ref tr, (nuint)(ushort)f2));
            a3 = TDot.AccumulatePair(a3, ref Unsafe.Add(ref v3, k * 32), ref Unsafe.Add(ref tr, (nuint)(ushort)f3));
            b0 = TDot.AccumulatePair(b0, ref Unsafe.Add(ref v0, k * 32 + 32), ref Unsafe.Add(ref tr, (nuint)(ushort)(f0 >> 16)));
            b1 = TDot.AccumulatePair(b1, ref Unsafe.Add(ref v1, k * 32 + 32), ref Unsafe.Add(ref tr, (nuint)(ushort)(f1 >> 16)));
            b2 = TDot.AccumulatePair(b2, ref Unsafe.Add(ref v2, k * 32 + 32), ref Unsafe.Add(ref tr, (nuint)(ushort)(f2 >> 16)));
            b3 = TDot.AccumulatePair(b3, ref Unsafe.Add(ref v3, k * 32 + 32), ref Unsafe.Add(ref tr, (nuint)(ushort)(f3 >> 16)));
            a0 = TDot.AccumulatePair(a0, ref Unsafe.Add(ref v0, k * 32 + 64), ref Unsafe.Add(ref tr, (nuint)(ushort)(f0 >> 32)));
            a1 = TDot.AccumulatePair(a1, ref Unsafe.Add(ref v1, k * 32 + 64), ref Unsafe.Add(ref tr, (nuint)(ushort)(f1 >> 32)));
            a2 = TDot.AccumulatePair(a2, ref Unsafe.Add(ref v2, k * 32 + 64), ref Unsafe.Add(ref tr, (nuint)(ushort)(f2 >> 32)));
            a3 = TDot.AccumulatePair(a3, ref Unsafe.Add(ref v3, k * 32 + 64), ref Unsafe.Add(ref tr, (nuint)(ushort)(f3 >> 32)));
            b0 = TDot.AccumulatePair(b0, ref Unsafe.Add(ref v0, k * 32 + 96), ref Unsafe.Add(ref tr, (nuint)(f0 >> 48)));
            b1 = TDot.AccumulatePair(b1, ref Unsafe.Add(ref v1, k * 32 + 96), ref Unsafe.Add(ref tr, (nuint)(f1 >> 48)));
            b2 = TDot.AccumulatePair(b2, ref Unsafe.Add(ref v2, k * 32 + 96), ref Unsafe.Add(ref tr, (nuint)(f2 >> 48)));
            b3 = TDot.AccumulatePair(b3, ref Unsafe.Add(ref v3, k * 32 + 96), ref Unsafe.Add(ref tr, (nuint)(f3 >> 48)));
        }
        for (; k < n; k++)
        {
            a0 = TDot.AccumulatePair(a0, ref Unsafe.Add(ref v0, k * 32), ref Unsafe.Add(ref tr, Unsafe.Add(ref o0, k)));
            a1 = TDot.AccumulatePair(a1, ref Unsafe.Add(ref v1, k * 32), ref Unsafe.Add(ref tr, Unsafe.Add(ref o1, k)));
            a2 = TDot.AccumulatePair(a2, ref Unsafe.Add(ref v2, k * 32), ref Unsafe.Add(ref tr, Unsafe.Add(ref o2, k)));
            a3 = TDot.AccumulatePair(a3, ref Unsafe.Add(ref v3, k * 32), ref Unsafe.Add(ref tr, Unsafe.Add(ref o3, k)));
        }
        s0 = a0 + b0;
        s1 = a1 + b1;
        s2 = a2 + b2;
        s3 = a3 + b3;
    }

    /// <summary>Row <paramref name="r"/>'s pairs from <paramref name="from"/> on, then its odd last block if it has one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> PairRowTail(Vector256<int> acc, ref sbyte v, ref ushort o, nint from, nint pairs,
        ref uint rowStart, int r, ref ushort columns, ref sbyte tr, ref sbyte xr)
    {
        for (nint k = from; k < pairs; k++)
            acc = TDot.AccumulatePair(acc, ref Unsafe.Add(ref v, k * 32), ref Unsafe.Add(ref tr, Unsafe.Add(ref o, k)));
        uint start = Unsafe.Add(ref rowStart, r), end = Unsafe.Add(ref rowStart, r + 1);
        if (((end - start) & 1) != 0)
            acc += TDot.AccumulateBlock16(default, ref Unsafe.Add(ref v, pairs * 32), ref XBlock(ref xr, Unsafe.Add(ref columns, (nint)end - 1))).ToVector256();
        return acc;
    }

    private static void SparseRows(BlockSparseLayout w, ReadOnlySpan<int> rowSums, ReadOnlySpan<sbyte> x, Span<int> y)
    {
        // The layout was validated when the model was loaded (column indices inside the row, row starts
        // increasing), so the loop reads it without bounds checks.
        ref uint rowStart = ref MemoryMarshal.GetReference(w.RowStart);
        ref ushort columns = ref MemoryMarshal.GetReference(w.BlockColumns);
        ref sbyte values = ref MemoryMarshal.GetReference(w.Values);
        ref sbyte xr = ref MemoryMarshal.GetReference(x);
        for (int r = 0; r < y.Length; r++)
        {
            nint b = (nint)Unsafe.Add(ref rowStart, r), end = (nint)Unsafe.Add(ref rowStart, r + 1);
            // Four partial sums, so a multiply-add with a long latency (vpdpbusd) does not wait on the previous one.
            Vector128<int> s0 = default, s1 = default, s2 = default, s3 = default;
            if (TDot.HasBlockPairs)
            {
                Vector256<int> p0 = default, p1 = default, p2 = default, p3 = default;
                for (; b + 8 <= end; b += 8)
                {
                    ref sbyte v = ref Unsafe.Add(ref values, b * 16);
                    ref ushort col = ref Unsafe.Add(ref columns, b);
                    p0 = TDot.AccumulateBlockPair(p0, ref v, ref XBlock(ref xr, col), ref XBlock(ref xr, Unsafe.Add(ref col, 1)));
                    p1 = TDot.AccumulateBlockPair(p1, ref Unsafe.Add(ref v, 32), ref XBlock(ref xr, Unsafe.Add(ref col, 2)), ref XBlock(ref xr, Unsafe.Add(ref col, 3)));
                    p2 = TDot.AccumulateBlockPair(p2, ref Unsafe.Add(ref v, 64), ref XBlock(ref xr, Unsafe.Add(ref col, 4)), ref XBlock(ref xr, Unsafe.Add(ref col, 5)));
                    p3 = TDot.AccumulateBlockPair(p3, ref Unsafe.Add(ref v, 96), ref XBlock(ref xr, Unsafe.Add(ref col, 6)), ref XBlock(ref xr, Unsafe.Add(ref col, 7)));
                }
                for (; b + 2 <= end; b += 2)
                    p0 = TDot.AccumulateBlockPair(p0, ref Unsafe.Add(ref values, b * 16),
                        ref XBlock(ref xr, Unsafe.Add(ref columns, b)), ref XBlock(ref xr, Unsafe.Add(ref columns, b + 1)));
                Vector256<int> pairs = (p0 + p1) + (p2 + p3);
                s0 = pairs.GetLower();
                s1 = pairs.GetUpper();
            }
            else
            {
                for (; b + 4 <= end; b += 4)
                {
                    ref sbyte v = ref Unsafe.Add(ref values, b * 16);
                    s0 = TDot.AccumulateBlock16(s0, ref v, ref XBlock(ref xr, Unsafe.Add(ref columns, b)));
                    s1 = TDot.AccumulateBlock16(s1, ref Unsafe.Add(ref v, 16), ref XBlock(ref xr, Unsafe.Add(ref columns, b + 1)));
                    s2 = TDot.AccumulateBlock16(s2, ref Unsafe.Add(ref v, 32), ref XBlock(ref xr, Unsafe.Add(ref columns, b + 2)));
                    s3 = TDot.AccumulateBlock16(s3, ref Unsafe.Add(ref v, 48), ref XBlock(ref xr, Unsafe.Add(ref columns, b + 3)));
                }
            }
            for (; b < end; b++)
                s2 = TDot.AccumulateBlock16(s2, ref Unsafe.Add(ref values, b * 16), ref XBlock(ref xr, Unsafe.Add(ref columns, b)));
            y[r] = Vector128.Sum((s0 + s1) + (s2 + s3)) - (TDot.BiasedActivations ? rowSums[r] << 7 : 0);
        }
    }

    private static unsafe Span<sbyte> AlignTo64(Span<sbyte> buffer, int length)
    {
        // The span is stack memory, which does not move, so its address can be taken.
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
        return buffer.Slice((int)(-address & 63), length);
    }

    /// <summary>The 16 activations of block column <paramref name="column"/>. Widened before the shift, so the
    /// JIT emits movzx + shl and no sign extension: this address is most of a sparse block's work.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref sbyte XBlock(ref sbyte x, ushort column) => ref Unsafe.Add(ref x, (nuint)column << 4);
}
