using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EdgeLstm.Bench;

/// <summary>
/// `edgelstm-bench products`: the int8 multiply-add rate of each product form on one core, weights streaming from an
/// L1-resident buffer and activations in registers, eight independent accumulators — the ceiling each kernel
/// variant's inner loop can reach. Forms that need 7-bit weights (|w| ≤ 63: x + 128 goes straight into
/// vpmaddubsw's unsigned side) are measured beside today's sign trick, as evidence for issue #30.
/// </summary>
[SkipLocalsInit]
internal static unsafe class ProductFormProbe
{
    private const int Iterations = 2048, Accumulators = 8, BufferBytes = 4096;

    /// <param name="Kernel">The kernel variant whose inner loop is this form (null: a form no variant runs now).</param>
    private sealed record Form(string Name, string? Kernel, bool Supported, int BytesPerOp, Func<nint, int> Run);

    private static readonly Form[] Forms =
    [
        new("vpdpbusd ymm (AVX-VNNI: avxvnni-dpbusd)", "avxvnni-dpbusd", AvxVnni.IsSupported, 32, w => Loop256<Vnni256>((sbyte*)w)),
        new("vpmaddubsw ymm, sign trick per row (avx2-maddubs before session 16)", null, Avx2.IsSupported, 32, w => Loop256<SignPerRow256>((sbyte*)w)),
        new("vpmaddubsw ymm, |x| shared by the rows (avx2-maddubs Dot4 now)", "avx2-maddubs", Avx2.IsSupported, 32, w => Loop256<SharedAbs256>((sbyte*)w)),
        new("vpmaddubsw ymm, 7-bit weights, x + 128 (no kernel: within noise of the above)", null, Avx2.IsSupported, 32, w => Loop256<Biased256>((sbyte*)w)),
        new("vpmaddubsw zmm, masked negate per row (avx512bw-maddubs before session 16)", null, Avx512BW.IsSupported, 64, w => Loop512<SignPerRow512>((sbyte*)w)),
        new("vpmaddubsw zmm, x's sign mask shared (avx512bw-maddubs Dot4 now)", "avx512bw-maddubs", Avx512BW.IsSupported, 64, w => Loop512<SharedSign512>((sbyte*)w)),
        new("vpmaddubsw zmm, 7-bit weights, x + 128 (avx512bw-maddubs-w7)", "avx512bw-maddubs-w7", Avx512BW.IsSupported, 64, w => Loop512<Biased512>((sbyte*)w)),
    ];

    /// <summary>
    /// The product form kernel variant <paramref name="kernel"/> runs, as a timed action and the multiply-adds one
    /// call does; null where this probe has no form for it (NEON, scalar) or the CPU lacks it. `bench steps` divides
    /// a step's multiply-adds by this rate for its "multiply-add bound".
    /// </summary>
    public static (string Form, Action Run, long MultiplyAdds)? For(string kernel)
    {
        Form? form = Forms.FirstOrDefault(f => f.Kernel == kernel && f.Supported);
        if (form is null) return null;
        // A pinned managed buffer: released with the action, no native allocation to free.
        sbyte[] buffer = GC.AllocateArray<sbyte>(BufferBytes + 64, pinned: true);
        var random = new Random(1);
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (sbyte)random.Next(-63, 64);
        nint aligned = ((nint)Unsafe.AsPointer(ref buffer[0]) + 63) & ~(nint)63;
        return (form.Name, () => { GC.KeepAlive(buffer); form.Run(aligned); }, (long)Iterations * Accumulators * form.BytesPerOp);
    }

    public static void Run()
    {
        Form[] forms = Forms;
        sbyte* weights = (sbyte*)NativeMemory.AlignedAlloc(BufferBytes, 64);
        try
        {
            var random = new Random(1);
            for (int i = 0; i < BufferBytes; i++) weights[i] = (sbyte)random.Next(-63, 64);
            Console.WriteLine("| product form | GMAC/s, one core | vs vpdpbusd ymm |");
            Console.WriteLine("|---|---|---|");
            double? reference = null;
            foreach (Form f in forms)
            {
                if (!f.Supported)
                {
                    Console.WriteLine($"| {f.Name} | not on this CPU | |");
                    continue;
                }
                long macs = (long)Iterations * Accumulators * f.BytesPerOp;
                var run = f.Run;
                nint buffer = (nint)weights;
                double us = Timing.BestMicroseconds(() => run(buffer), calls: 20, runs: 21, warmupCalls: 20);
                double rate = macs / us / 1000;
                reference ??= rate;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {f.Name} | {rate:F1} | {rate / reference.Value:F2}x |"));
            }
            Console.WriteLine("Weights: 4 KB in L1, a new 32/64-byte row slice per multiply-add; x fixed (a kernel loads it once for four rows).");
        }
        finally
        {
            NativeMemory.AlignedFree(weights);
        }
    }

    // One loop per width over eight accumulators in registers; each form supplies one row's product. The weight slice
    // advances through the buffer, so nothing that depends on w is hoisted out of the loop, while what depends only on
    // x (a constant here) is computed once, as the kernels compute it once for four rows.
    private interface IForm256 { static abstract Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w); }
    private interface IForm512 { static abstract Vector512<int> Accumulate(Vector512<int> acc, Vector512<sbyte> w); }

    private static int Loop256<TForm>(sbyte* w) where TForm : IForm256
    {
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int i = 0; i < Iterations; i++)
        {
            sbyte* row = w + (i * Accumulators * 32 & (BufferBytes - 1));
            a0 = TForm.Accumulate(a0, Vector256.Load(row));
            a1 = TForm.Accumulate(a1, Vector256.Load(row + 32));
            a2 = TForm.Accumulate(a2, Vector256.Load(row + 64));
            a3 = TForm.Accumulate(a3, Vector256.Load(row + 96));
            a4 = TForm.Accumulate(a4, Vector256.Load(row + 128));
            a5 = TForm.Accumulate(a5, Vector256.Load(row + 160));
            a6 = TForm.Accumulate(a6, Vector256.Load(row + 192));
            a7 = TForm.Accumulate(a7, Vector256.Load(row + 224));
        }
        return ((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7))).ToScalar();
    }

    private static int Loop512<TForm>(sbyte* w) where TForm : IForm512
    {
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int i = 0; i < Iterations; i++)
        {
            sbyte* row = w + (i * Accumulators * 64 & (BufferBytes - 1));
            a0 = TForm.Accumulate(a0, Vector512.Load(row));
            a1 = TForm.Accumulate(a1, Vector512.Load(row + 64));
            a2 = TForm.Accumulate(a2, Vector512.Load(row + 128));
            a3 = TForm.Accumulate(a3, Vector512.Load(row + 192));
            a4 = TForm.Accumulate(a4, Vector512.Load(row + 256));
            a5 = TForm.Accumulate(a5, Vector512.Load(row + 320));
            a6 = TForm.Accumulate(a6, Vector512.Load(row + 384));
            a7 = TForm.Accumulate(a7, Vector512.Load(row + 448));
        }
        return ((a0 + a1) + (a2 + a3) + ((a4 + a5) + (a6 + a7))).ToScalar();
    }

    // x: a constant, so what depends on it alone is computed once.
    private static Vector256<sbyte> X256 => Vector256.Create((sbyte)-3);
    private static Vector512<sbyte> X512 => Vector512.Create((sbyte)-3);

    private struct Vnni256 : IForm256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w) => AvxVnni.MultiplyWideningAndAdd(acc, Vector256.Create((byte)125), w);
    }

    private struct SignPerRow256 : IForm256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w) => acc +
            Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(w), Avx2.Sign(X256, w)), Vector256<short>.One);
    }

    private struct SharedAbs256 : IForm256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w) => acc +
            Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(X256), Avx2.Sign(w, X256)), Vector256<short>.One);
    }

    private struct Biased256 : IForm256
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> w) => acc +
            Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Vector256.Create((byte)125), w), Vector256<short>.One);
    }

    private struct SignPerRow512 : IForm512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Accumulate(Vector512<int> acc, Vector512<sbyte> w) => acc +
            Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(w),
                Vector512.ConditionalSelect(Vector512.LessThan(w, Vector512<sbyte>.Zero), -X512, X512)), Vector512<short>.One);
    }

    private struct SharedSign512 : IForm512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Accumulate(Vector512<int> acc, Vector512<sbyte> w) => acc +
            Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Avx512BW.Abs(X512),
                Vector512.ConditionalSelect(Vector512.LessThan(X512, Vector512<sbyte>.Zero), -w, w)), Vector512<short>.One);
    }

    private struct Biased512 : IForm512
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<int> Accumulate(Vector512<int> acc, Vector512<sbyte> w) => acc +
            Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(Vector512.Create((byte)125), w), Vector512<short>.One);
    }
}
