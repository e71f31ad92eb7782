using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EdgeLstm.Bench;

/// <summary>
/// Streaming-read bandwidth of this machine at a given working-set size: the roofline's ceiling. Reads the
/// buffer (64-byte aligned, see <see cref="AlignedBuffer"/>) with the widest vectors available and XORs them so the loads cannot be skipped.
/// </summary>
[SkipLocalsInit]
internal static class BandwidthProbe
{
    public static double GigabytesPerSecond(int bytes)
    {
        double us = Timing.BestMicroseconds(Reader(bytes), calls: Math.Max(1, 64_000_000 / bytes), runs: 11, warmupCalls: Math.Max(3, 4_000_000 / bytes));
        return bytes / us / 1000.0;
    }

    /// <summary>One streaming read of a fresh buffer of <paramref name="bytes"/> per call (for interleaved timing).</summary>
    public static Action Reader(int bytes)
    {
        Memory<byte> buffer = AlignedBuffer.Create<byte>(bytes);
        new Random(1).NextBytes(buffer.Span);
        return () => Read(buffer.Span);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ulong Read(Span<byte> buffer)
    {
        ref byte start = ref MemoryMarshal.GetReference(buffer);
        var a = Vector512<ulong>.Zero;
        var b = Vector512<ulong>.Zero;
        nuint n = (nuint)buffer.Length;
        for (nuint i = 0; i + 128 <= n; i += 128)
        {
            a ^= Vector512.LoadUnsafe(ref start, i).AsUInt64();
            b ^= Vector512.LoadUnsafe(ref start, i + 64).AsUInt64();
        }
        return (a ^ b).ToScalar();
    }
}
