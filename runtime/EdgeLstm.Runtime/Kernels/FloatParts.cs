namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// The float side of an int8 step: activation quantization, the gate update (pre-activations, then
/// <see cref="LstmCell"/>) and the output logits.
/// Element-wise with the same operations in the same order at every vector width (1, 4, 8 or 16 lanes),
/// so every width gives the same bits as <see cref="Int8.Int8Reference"/>-style scalar code.
/// </summary>
[SkipLocalsInit]
public static class FloatParts
{
    /// <summary>s = max|x| / 127, q = round-half-even(x / s) clamped to [-127, 127]; returns s (0 for all-zero x).</summary>
    public static float Quantize(int width, ReadOnlySpan<float> x, Span<sbyte> q)
    {
        float maxAbs = MaxAbs(width, x);
        if (maxAbs == 0f)
        {
            q[..x.Length].Clear();
            return 0f;
        }
        float scale = maxAbs / 127f;
        QuantizeWithScale(width, x, q, scale);
        return scale;
    }

    /// <summary>q = round-half-even(x / scale) clamped to [-127, 127], for a given scale &gt; 0 (static activation scales).</summary>
    public static void QuantizeWithScale(int width, ReadOnlySpan<float> x, Span<sbyte> q, float scale)
    {
        int j = 0;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref sbyte qs = ref MemoryMarshal.GetReference(q);
        if (width >= 8 && Vector256.IsHardwareAccelerated)
        {
            // 32 floats → 32 int8 per iteration (max |q| is 127, so narrowing is exact).
            var s = Vector256.Create(scale);
            for (; j + 32 <= x.Length; j += 32)
            {
                var a = Round256(Vector256.LoadUnsafe(ref xs, (nuint)j) / s);
                var b = Round256(Vector256.LoadUnsafe(ref xs, (nuint)(j + 8)) / s);
                var c = Round256(Vector256.LoadUnsafe(ref xs, (nuint)(j + 16)) / s);
                var d = Round256(Vector256.LoadUnsafe(ref xs, (nuint)(j + 24)) / s);
                Vector256<short> ab = Vector256.Narrow(a, b), cd = Vector256.Narrow(c, d);
                Vector128<short> ab0 = ab.GetLower(), ab1 = ab.GetUpper(), cd0 = cd.GetLower(), cd1 = cd.GetUpper();
                Vector128.Narrow(ab0, ab1).StoreUnsafe(ref qs, (nuint)j);
                Vector128.Narrow(cd0, cd1).StoreUnsafe(ref qs, (nuint)(j + 16));
            }
            // Then 8 at a time: short vectors (a forecaster's 26 features) would otherwise go one by one.
            for (; j + 8 <= x.Length; j += 8)
            {
                var a = Round256(Vector256.LoadUnsafe(ref xs, (nuint)j) / s);
                Vector128<short> narrow = Vector256.Narrow(a, a).GetLower();
                Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref qs, j)), Vector128.Narrow(narrow, narrow).AsUInt64().ToScalar());
            }
        }
        else if (width >= 4 && Vector128.IsHardwareAccelerated)
        {
            var s = Vector128.Create(scale);
            for (; j + 16 <= x.Length; j += 16)
            {
                var a = Round128(Vector128.LoadUnsafe(ref xs, (nuint)j) / s);
                var b = Round128(Vector128.LoadUnsafe(ref xs, (nuint)(j + 4)) / s);
                var c = Round128(Vector128.LoadUnsafe(ref xs, (nuint)(j + 8)) / s);
                var d = Round128(Vector128.LoadUnsafe(ref xs, (nuint)(j + 12)) / s);
                Vector128.Narrow(Vector128.Narrow(a, b), Vector128.Narrow(c, d)).StoreUnsafe(ref qs, (nuint)j);
            }
        }
        for (; j < x.Length; j++)
            q[j] = (sbyte)Math.Clamp(MathF.Round(x[j] / scale), -127f, 127f); // MathF.Round: half to even, as Vector.Round
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Round128(Vector128<float> v) =>
        Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(Vector128.Round(v), Vector128.Create(-127f)), Vector128.Create(127f)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Round256(Vector256<float> v) =>
        Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(Vector256.Round(v), Vector256.Create(-127f)), Vector256.Create(127f)));

    private static float MaxAbs(int width, ReadOnlySpan<float> x)
    {
        int j = 0;
        float max = 0f;
        ref float xs = ref MemoryMarshal.GetReference(x);
        if (width >= 16 && Vector512.IsHardwareAccelerated && x.Length >= 16)
        {
            var m = Vector512<float>.Zero;
            for (; j + 16 <= x.Length; j += 16) m = Vector512.Max(m, Vector512.Abs(Vector512.LoadUnsafe(ref xs, (nuint)j)));
            Vector256<float> m8 = Vector256.Max(m.GetLower(), m.GetUpper());
            max = HorizontalMax(Vector128.Max(m8.GetLower(), m8.GetUpper()));
        }
        else if (width >= 8 && Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            var m = Vector256<float>.Zero;
            for (; j + 8 <= x.Length; j += 8) m = Vector256.Max(m, Vector256.Abs(Vector256.LoadUnsafe(ref xs, (nuint)j)));
            max = HorizontalMax(Vector128.Max(m.GetLower(), m.GetUpper()));
        }
        else if (width >= 4 && Vector128.IsHardwareAccelerated && x.Length >= 4)
        {
            var m = Vector128<float>.Zero;
            for (; j + 4 <= x.Length; j += 4) m = Vector128.Max(m, Vector128.Abs(Vector128.LoadUnsafe(ref xs, (nuint)j)));
            max = HorizontalMax(m);
        }
        for (; j < x.Length; j++) max = MathF.Max(max, MathF.Abs(x[j]));
        return max; // max is exact and order-free, so every width agrees
    }

    private static float HorizontalMax(Vector128<float> m) => MathF.Max(MathF.Max(m[0], m[1]), MathF.Max(m[2], m[3]));

    /// <summary>
    /// The fused LSTM cell update for one layer. Gate row r (blocks i, f, g, o of H rows) has pre-activation
    /// bias[r] + accIh[r]·(sIh[r]·xScale) + accHh[r]·(sHh[r]·hScale); then c = f·c + i·g and h = o·tanh(c).
    /// </summary>
    public static void GateUpdate(int width, ReadOnlySpan<int> accIh, ReadOnlySpan<int> accHh, ReadOnlySpan<float> sIh, ReadOnlySpan<float> sHh,
        ReadOnlySpan<float> bias, float xScale, float hScale, Span<float> c, Span<float> h) =>
        GateUpdate(width, accIh, accHh, sIh, sHh, bias, xScale, hScale, c, h, 0, h.Length);

    /// <summary>The same for units [from, to) only (the rows of the other units are not read).</summary>
    public static void GateUpdate(int width, ReadOnlySpan<int> accIh, ReadOnlySpan<int> accHh, ReadOnlySpan<float> sIh, ReadOnlySpan<float> sHh,
        ReadOnlySpan<float> bias, float xScale, float hScale, Span<float> c, Span<float> h, int from, int to)
    {
        int hidden = h.Length;
        // Checked once here, so the vector paths load without bounds checks.
        if (from < 0 || to > hidden || c.Length < hidden || accIh.Length < 4 * hidden || accHh.Length < 4 * hidden
            || sIh.Length < 4 * hidden || sHh.Length < 4 * hidden || bias.Length < 4 * hidden)
            throw new ArgumentException($"gate update of {hidden} units needs 4·{hidden} rows of accumulators, scales and bias, {hidden} cells and 0 ≤ from ≤ to ≤ {hidden}");
        int j = from;
        if (width >= 16 && Vector512.IsHardwareAccelerated)
            for (; j + 16 <= to; j += 16) Gate<FloatLanes512, Vector512<float>>(accIh, accHh, sIh, sHh, bias, xScale, hScale, c, h, j);
        if (width >= 8 && Vector256.IsHardwareAccelerated)
            for (; j + 8 <= to; j += 8) Gate<FloatLanes256, Vector256<float>>(accIh, accHh, sIh, sHh, bias, xScale, hScale, c, h, j);
        if (width >= 4 && Vector128.IsHardwareAccelerated)
            for (; j + 4 <= to; j += 4) Gate<FloatLanes128, Vector128<float>>(accIh, accHh, sIh, sHh, bias, xScale, hScale, c, h, j);
        for (; j < to; j++)
        {
            int ri = j, rf = hidden + j, rg = 2 * hidden + j, ro = 3 * hidden + j;
            float i = bias[ri] + accIh[ri] * (sIh[ri] * xScale) + accHh[ri] * (sHh[ri] * hScale);
            float f = bias[rf] + accIh[rf] * (sIh[rf] * xScale) + accHh[rf] * (sHh[rf] * hScale);
            float g = bias[rg] + accIh[rg] * (sIh[rg] * xScale) + accHh[rg] * (sHh[rg] * hScale);
            float o = bias[ro] + accIh[ro] * (sIh[ro] * xScale) + accHh[ro] * (sHh[ro] * hScale);
            (c[j], h[j]) = LstmCell.Update(i, f, g, o, c[j]);
        }
    }

    /// <summary>Gate row r's pre-activations, one vector of lanes: bias + accIh·(sIh·xScale) + accHh·(sHh·hScale), in that order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Pre<TLanes, TVector>(ReadOnlySpan<int> accIh, ReadOnlySpan<int> accHh, ReadOnlySpan<float> sIh, ReadOnlySpan<float> sHh,
        ReadOnlySpan<float> bias, TVector xScale, TVector hScale, int r) where TLanes : IFloatLanes<TVector> where TVector : struct =>
        TLanes.Add(TLanes.Add(TLanes.Load(bias, r), TLanes.Multiply(TLanes.LoadInt(accIh, r), TLanes.Multiply(TLanes.Load(sIh, r), xScale))),
            TLanes.Multiply(TLanes.LoadInt(accHh, r), TLanes.Multiply(TLanes.Load(sHh, r), hScale)));

    /// <summary>The gate pre-activations and <see cref="LstmCell"/> for the units [j, j + lanes), at any width.</summary>
    private static void Gate<TLanes, TVector>(ReadOnlySpan<int> accIh, ReadOnlySpan<int> accHh, ReadOnlySpan<float> sIh, ReadOnlySpan<float> sHh,
        ReadOnlySpan<float> bias, float xScale, float hScale, Span<float> c, Span<float> h, int j) where TLanes : IFloatLanes<TVector> where TVector : struct
    {
        int hidden = h.Length;
        TVector xs = TLanes.Create(xScale), hs = TLanes.Create(hScale);
        TVector i = Pre<TLanes, TVector>(accIh, accHh, sIh, sHh, bias, xs, hs, j);
        TVector f = Pre<TLanes, TVector>(accIh, accHh, sIh, sHh, bias, xs, hs, hidden + j);
        TVector g = Pre<TLanes, TVector>(accIh, accHh, sIh, sHh, bias, xs, hs, 2 * hidden + j);
        TVector o = Pre<TLanes, TVector>(accIh, accHh, sIh, sHh, bias, xs, hs, 3 * hidden + j);
        LstmCell.Update<TLanes, TVector>(i, f, g, o, c, h, j);
    }

    /// <summary>y[v] = bias[v] + acc[v]·(scale[v]·hScale): an int8 product's exact sums back to float.</summary>
    public static void Dequantize(int width, ReadOnlySpan<int> acc, ReadOnlySpan<float> scale, float hScale, ReadOnlySpan<float> bias, Span<float> logits)
    {
        int v = 0;
        if (width >= 8 && Vector256.IsHardwareAccelerated)
        {
            var hs = Vector256.Create(hScale);
            for (; v + 8 <= logits.Length; v += 8)
                (Vector256.Create(bias[v..]) + Vector256.ConvertToSingle(Vector256.Create(acc[v..])) * (Vector256.Create(scale[v..]) * hs)).CopyTo(logits[v..]);
        }
        else if (width >= 4 && Vector128.IsHardwareAccelerated)
        {
            var hs = Vector128.Create(hScale);
            for (; v + 4 <= logits.Length; v += 4)
                (Vector128.Create(bias[v..]) + Vector128.ConvertToSingle(Vector128.Create(acc[v..])) * (Vector128.Create(scale[v..]) * hs)).CopyTo(logits[v..]);
        }
        for (; v < logits.Length; v++)
            logits[v] = bias[v] + acc[v] * (scale[v] * hScale);
    }
}
