using System.Runtime.CompilerServices;

namespace EdgeLstm.Bench;

/// <summary>
/// Pinned arrays viewed from a 64-byte boundary. A managed array's data starts 16 bytes into the object, so
/// 32- and 64-byte loads from it straddle cache lines; that cost 25–45% of a streaming read here, which would
/// make the roofline's bound (and the kernels timed on such buffers) look slower than the machine is. Models
/// loaded from a file are memory-mapped and page-aligned, so this is also how the runtime sees its weights.
/// </summary>
internal static class AlignedBuffer
{
    public static unsafe Memory<T> Create<T>(int length) where T : unmanaged
    {
        int slack = 64 / sizeof(T);
        T[] array = GC.AllocateArray<T>(length + slack, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref array[0]);
        return array.AsMemory((int)((-address & 63) / sizeof(T)), length);
    }
}
