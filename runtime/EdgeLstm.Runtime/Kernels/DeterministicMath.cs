namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// exp (from which FloatParts builds the gates' sigmoid and tanh) built only from +, −, ×, ÷, fused multiply-add, round-half-even and exponent bits, each
/// in a fixed order. Every one of these is correctly rounded by IEEE 754 (FMA included, in hardware or in .NET's
/// fallback), and the JIT never fuses a separate × and + on its own, so the scalar and the 128/256/512-bit
/// versions give bit-identical results on every CPU, unlike MathF.Exp, whose libm differs between x64 and ARM64.
/// Cephes' expf polynomial: relative error about 1e-7 over the clamped range. n = round(x·log2 e) lies in
/// [-126, 127] after the clamp, so the vectors convert it with the plain instruction (no out-of-range fix-up).
/// Clamps use MinNative/MaxNative (plain vminps/vmaxps, fmin/fmax): they differ from MathF.Min/Max only for NaN
/// and signed zeros, which a clamp to non-zero bounds of a finite input never meets.
/// </summary>
public static class DeterministicMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;
    private const float MinX = -87f, MaxX = 88f; // keeps 2^n a normal float
    private const float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f,
        P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

    /// <summary>tanh(x) = (e^2x − 1) / (e^2x + 1), x clamped to ±10 (where tanh is ±1 to float precision).</summary>
    public static float Tanh(float x)
    {
        float c = MathF.Min(MathF.Max(x, -10f), 10f);
        float e = Exp(c + c);
        return (e - 1f) / (e + 1f);
    }

    /// <summary>
    /// ln x for finite x &gt; 0 (normal floats), in fixed operations: x = m·2^k with m in [√½, √2), then
    /// ln m = 2·atanh(s), s = (m − 1)/(m + 1) (|s| ≤ 0.172), by its series to s^11 (error below 1e-8); plus k·ln 2.
    /// </summary>
    public static float Log(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x);
        int k = ((bits >> 23) & 0xFF) - 127;
        float m = BitConverter.Int32BitsToSingle((bits & 0x007FFFFF) | 0x3F800000); // [1, 2)
        if (m > 1.41421356f)
        {
            m *= 0.5f;
            k++;
        }
        float s = (m - 1f) / (m + 1f), s2 = s * s;
        float series = 1f / 11f;
        series = MathF.FusedMultiplyAdd(series, s2, 1f / 9f);
        series = MathF.FusedMultiplyAdd(series, s2, 1f / 7f);
        series = MathF.FusedMultiplyAdd(series, s2, 1f / 5f);
        series = MathF.FusedMultiplyAdd(series, s2, 1f / 3f);
        series = MathF.FusedMultiplyAdd(series, s2, 1f);
        return MathF.FusedMultiplyAdd(k, Ln2Hi, MathF.FusedMultiplyAdd(k, Ln2Lo, 2f * s * series));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = MathF.Min(MathF.Max(x, MinX), MaxX);
        float n = MathF.Round(x * Log2E, MidpointRounding.ToEven);
        float r = MathF.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = MathF.FusedMultiplyAdd(n, -Ln2Lo, r);
        float p = P0;
        p = MathF.FusedMultiplyAdd(p, r, P1);
        p = MathF.FusedMultiplyAdd(p, r, P2);
        p = MathF.FusedMultiplyAdd(p, r, P3);
        p = MathF.FusedMultiplyAdd(p, r, P4);
        p = MathF.FusedMultiplyAdd(p, r, P5);
        float y = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        return y * BitConverter.Int32BitsToSingle(((int)n + 127) << 23);
    }

    public static Vector128<float> Exp(Vector128<float> x) => Exp<FloatLanes128, Vector128<float>>(x);
    public static Vector256<float> Exp(Vector256<float> x) => Exp<FloatLanes256, Vector256<float>>(x);
    public static Vector512<float> Exp(Vector512<float> x) => Exp<FloatLanes512, Vector512<float>>(x);

    /// <summary>The scalar <see cref="Exp(float)"/>'s operations lane by lane, at any width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Exp<TLanes, TVector>(TVector x) where TLanes : IFloatLanes<TVector> where TVector : struct
    {
        x = TLanes.Clamp(x, TLanes.Create(MinX), TLanes.Create(MaxX));
        TVector n = TLanes.Round(TLanes.Multiply(x, TLanes.Create(Log2E)));
        TVector r = TLanes.FusedMultiplyAdd(n, TLanes.Create(-Ln2Hi), x);
        r = TLanes.FusedMultiplyAdd(n, TLanes.Create(-Ln2Lo), r);
        TVector p = TLanes.Create(P0);
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(P1));
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(P2));
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(P3));
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(P4));
        p = TLanes.FusedMultiplyAdd(p, r, TLanes.Create(P5));
        TVector y = TLanes.Add(TLanes.FusedMultiplyAdd(p, TLanes.Multiply(r, r), r), TLanes.Create(1f));
        return TLanes.Multiply(y, TLanes.Pow2(n));
    }
}
