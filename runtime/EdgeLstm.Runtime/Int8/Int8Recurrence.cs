using System.Runtime.CompilerServices;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// The int8 LSTM recurrence over a whole sequence: one layer, T steps, either direction, one stream. The input
/// projections of up to <see cref="Chunk"/> steps are one matrix × matrix product (<see cref="Int8Matrix.MatMul"/>);
/// W_hh·h and the cell update are sequential. Products are exact int32 and the cell update is the kernels' own,
/// so the results equal stepping the same inputs one by one, on every kernel variant. Allocates nothing.
/// </summary>
[SkipLocalsInit]
public static class Int8Recurrence
{
    public const int Chunk = 64;

    /// <summary>Scratch for <see cref="Run"/>: quantized h, the recurrent products and a chunk's input projections.</summary>
    public sealed class Scratch(int widestHidden)
    {
        internal readonly sbyte[] Hq = new sbyte[widestHidden];
        internal readonly int[] AccHh = new int[4 * widestHidden];
        internal readonly int[] Projections = new int[Chunk * 4 * widestHidden];
    }

    /// <param name="xq">Quantized inputs [steps][layer.InputSize]; <paramref name="xScales"/> one scale per step.</param>
    /// <param name="hScale">A fixed scale for h (static activations), or 0 for each step's own range.</param>
    /// <param name="outputs">[steps][outputStride] floats: h after step t goes to columns [outputOffset, outputOffset + H).</param>
    public static void Run(ILstmKernels kernels, QuantizedLstmLayer layer, ReadOnlySpan<sbyte> xq, ReadOnlySpan<float> xScales, int steps, bool reverse,
        Span<float> h, Span<float> c, float hScale, Span<float> outputs, int outputStride, int outputOffset, Scratch scratch)
    {
        int hidden = layer.HiddenSize, rows = 4 * hidden, width = layer.InputSize;
        if (xq.Length < steps * width || xScales.Length < steps || h.Length != hidden || c.Length != hidden || outputs.Length < steps * outputStride)
            throw new ArgumentException("recurrence buffers do not match the layer and steps");
        Span<sbyte> hq = scratch.Hq.AsSpan(0, hidden);
        Span<int> accHh = scratch.AccHh.AsSpan(0, rows);
        for (int done = 0; done < steps; done += Chunk)
        {
            int n = Math.Min(Chunk, steps - done);
            int first = reverse ? steps - done - n : done;
            Span<int> projections = scratch.Projections.AsSpan(0, n * rows);
            layer.WeightIh.MatMul(kernels, xq.Slice(first * width, n * width), n, projections);
            for (int s = 0; s < n; s++)
            {
                int local = reverse ? n - 1 - s : s, t = first + local;
                float scale = hScale > 0 ? hScale : kernels.Quantize(h, hq);
                if (hScale > 0) kernels.QuantizeWithScale(h, hq, hScale);
                layer.WeightHh.MatVec(kernels, hq, accHh);
                kernels.GateUpdate(projections.Slice(local * rows, rows), accHh, layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias,
                    xScales[t], scale, c, h);
                h.CopyTo(outputs.Slice(t * outputStride + outputOffset, hidden));
            }
        }
    }
}
