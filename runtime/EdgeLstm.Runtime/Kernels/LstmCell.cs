namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// The LSTM cell from its four pre-activations (gates i, f, g, o): c' = σ(f)·c + σ(i)·tanh(g), h = σ(o)·tanh(c'),
/// in operations that give the same bits on every CPU and at every vector width (<see cref="DeterministicMath"/>),
/// with two divisions instead of five: with A = 1 + e^-i, F = 1 + e^-f, G = e^2g and C = e^2c',
/// c' = (c·A·(G+1) + (G−1)·F) / (F·A·(G+1)) and h = (C−1) / ((1 + e^-o)·(C+1)). The sigmoid inputs are clamped to
/// ±20 and the tanh inputs to ±10, where both functions are already 0 or ±1 to float precision, so the products of
/// exponentials stay finite (≤ 1.2e26). The int8 gate update and the float recurrence both end here.
/// </summary>
internal static class LstmCell
{
    private const float GateLimit = 20f, TanhLimit = 10f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (float C, float H) Update(float i, float f, float g, float o, float c)
    {
        float a = 1f + DeterministicMath.Exp(-MathF.Min(MathF.Max(i, -GateLimit), GateLimit));
        float fd = 1f + DeterministicMath.Exp(-MathF.Min(MathF.Max(f, -GateLimit), GateLimit));
        float gc = MathF.Min(MathF.Max(g, -TanhLimit), TanhLimit);
        float ge = DeterministicMath.Exp(gc + gc);
        float ag = a * (ge + 1f);
        float cNew = (c * ag + (ge - 1f) * fd) / (fd * ag);
        float cc = MathF.Min(MathF.Max(cNew, -TanhLimit), TanhLimit);
        float ce = DeterministicMath.Exp(cc + cc);
        float od = 1f + DeterministicMath.Exp(-MathF.Min(MathF.Max(o, -GateLimit), GateLimit));
        return (cNew, (ce - 1f) / (od * (ce + 1f)));
    }

    /// <summary>The scalar <see cref="Update(float, float, float, float, float)"/>'s operations for units [j, j + lanes): c[j..] in, c and h[j..] out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Update<TLanes, TVector>(TVector i, TVector f, TVector g, TVector o, Span<float> c, Span<float> h, int j)
        where TLanes : IFloatLanes<TVector> where TVector : struct
    {
        TVector one = TLanes.Create(1f);
        TVector gateLimit = TLanes.Create(GateLimit), gateFloor = TLanes.Create(-GateLimit);
        TVector tanhLimit = TLanes.Create(TanhLimit), tanhFloor = TLanes.Create(-TanhLimit);
        TVector a = TLanes.Add(one, DeterministicMath.Exp<TLanes, TVector>(TLanes.Negate(TLanes.Clamp(i, gateFloor, gateLimit))));
        TVector fd = TLanes.Add(one, DeterministicMath.Exp<TLanes, TVector>(TLanes.Negate(TLanes.Clamp(f, gateFloor, gateLimit))));
        TVector gc = TLanes.Clamp(g, tanhFloor, tanhLimit);
        TVector ge = DeterministicMath.Exp<TLanes, TVector>(TLanes.Add(gc, gc));
        TVector ag = TLanes.Multiply(a, TLanes.Add(ge, one));
        TVector cNew = TLanes.Divide(TLanes.Add(TLanes.Multiply(TLanes.Load(c, j), ag), TLanes.Multiply(TLanes.Subtract(ge, one), fd)), TLanes.Multiply(fd, ag));
        TLanes.Store(cNew, c, j);
        TVector cc = TLanes.Clamp(cNew, tanhFloor, tanhLimit);
        TVector ce = DeterministicMath.Exp<TLanes, TVector>(TLanes.Add(cc, cc));
        TVector od = TLanes.Add(one, DeterministicMath.Exp<TLanes, TVector>(TLanes.Negate(TLanes.Clamp(o, gateFloor, gateLimit))));
        TLanes.Store(TLanes.Divide(TLanes.Subtract(ce, one), TLanes.Multiply(od, TLanes.Add(ce, one))), h, j);
    }

    /// <summary>σ(x) with the cell's clamp, for showing activated gates (the cell itself never forms σ alone).</summary>
    internal static float Sigmoid(float x) => 1f / (1f + DeterministicMath.Exp(-MathF.Min(MathF.Max(x, -GateLimit), GateLimit)));
}
