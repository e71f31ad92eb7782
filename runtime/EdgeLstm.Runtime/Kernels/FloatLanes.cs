namespace EdgeLstm.Runtime.Kernels;

/// <summary>
/// One vector width of float lanes for the width-generic float drivers (the gate update, exp): each operation maps
/// 1:1 onto Vector128/256/512's, so every width does the same IEEE operations in the same order as the scalar code.
/// Generic methods over these structs are compiled once per width, as hand-written copies would be.
/// </summary>
internal interface IFloatLanes<TVector> where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }
    static abstract TVector Create(float value);
    static abstract TVector Load(ReadOnlySpan<float> source, int offset);
    /// <summary>Load at <paramref name="source"/> + <paramref name="offset"/> floats (hot loops that walk a ref).</summary>
    static abstract TVector Load(ref float source, nint offset);
    /// <summary>int32 lanes converted to float.</summary>
    static abstract TVector LoadInt(ReadOnlySpan<int> source, int offset);
    static abstract void Store(TVector value, Span<float> destination, int offset);
    /// <summary>Store at <paramref name="destination"/> + <paramref name="offset"/> floats.</summary>
    static abstract void Store(TVector value, ref float destination, nint offset);
    static abstract TVector Add(TVector a, TVector b);
    static abstract TVector Subtract(TVector a, TVector b);
    static abstract TVector Multiply(TVector a, TVector b);
    static abstract TVector Divide(TVector a, TVector b);
    static abstract TVector Negate(TVector a);
    /// <summary>min(max(x, lo), hi) with the native min/max (no NaN fix-up: the inputs are finite).</summary>
    static abstract TVector Clamp(TVector x, TVector lo, TVector hi);
    static abstract TVector FusedMultiplyAdd(TVector a, TVector b, TVector c);
    /// <summary>Round half to even.</summary>
    static abstract TVector Round(TVector x);
    /// <summary>2^n for integral n in the normal range, from the exponent bits.</summary>
    static abstract TVector Pow2(TVector n);
}

internal readonly struct FloatLanes128 : IFloatLanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    public static Vector128<float> Create(float value) => Vector128.Create(value);
    public static Vector128<float> Load(ReadOnlySpan<float> source, int offset) => Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset);
    public static Vector128<float> Load(ref float source, nint offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);
    public static Vector128<float> LoadInt(ReadOnlySpan<int> source, int offset) => Vector128.ConvertToSingle(Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));
    public static void Store(Vector128<float> value, Span<float> destination, int offset) => value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);
    public static void Store(Vector128<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;
    public static Vector128<float> Negate(Vector128<float> a) => -a;
    public static Vector128<float> Clamp(Vector128<float> x, Vector128<float> lo, Vector128<float> hi) => Vector128.MinNative(Vector128.MaxNative(x, lo), hi);
    public static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);
    public static Vector128<float> Round(Vector128<float> x) => Vector128.Round(x);
    public static Vector128<float> Pow2(Vector128<float> n) => ((Vector128.ConvertToInt32Native(n) + Vector128.Create(127)) << 23).AsSingle();
}

internal readonly struct FloatLanes256 : IFloatLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static Vector256<float> Create(float value) => Vector256.Create(value);
    public static Vector256<float> Load(ReadOnlySpan<float> source, int offset) => Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset);
    public static Vector256<float> Load(ref float source, nint offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);
    public static Vector256<float> LoadInt(ReadOnlySpan<int> source, int offset) => Vector256.ConvertToSingle(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));
    public static void Store(Vector256<float> value, Span<float> destination, int offset) => value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);
    public static void Store(Vector256<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    public static Vector256<float> Negate(Vector256<float> a) => -a;
    public static Vector256<float> Clamp(Vector256<float> x, Vector256<float> lo, Vector256<float> hi) => Vector256.MinNative(Vector256.MaxNative(x, lo), hi);
    public static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    public static Vector256<float> Round(Vector256<float> x) => Vector256.Round(x);
    public static Vector256<float> Pow2(Vector256<float> n) => ((Vector256.ConvertToInt32Native(n) + Vector256.Create(127)) << 23).AsSingle();
}

internal readonly struct FloatLanes512 : IFloatLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static Vector512<float> Create(float value) => Vector512.Create(value);
    public static Vector512<float> Load(ReadOnlySpan<float> source, int offset) => Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset);
    public static Vector512<float> Load(ref float source, nint offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);
    public static Vector512<float> LoadInt(ReadOnlySpan<int> source, int offset) => Vector512.ConvertToSingle(Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(source), (nuint)offset));
    public static void Store(Vector512<float> value, Span<float> destination, int offset) => value.StoreUnsafe(ref MemoryMarshal.GetReference(destination), (nuint)offset);
    public static void Store(Vector512<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    public static Vector512<float> Negate(Vector512<float> a) => -a;
    public static Vector512<float> Clamp(Vector512<float> x, Vector512<float> lo, Vector512<float> hi) => Vector512.MinNative(Vector512.MaxNative(x, lo), hi);
    public static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    public static Vector512<float> Round(Vector512<float> x) => Vector512.Round(x);
    public static Vector512<float> Pow2(Vector512<float> n) => ((Vector512.ConvertToInt32Native(n) + Vector512.Create(127)) << 23).AsSingle();
}
