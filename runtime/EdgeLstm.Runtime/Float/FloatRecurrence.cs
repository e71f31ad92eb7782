using System.Numerics.Tensors;

namespace EdgeLstm.Runtime.Float;

/// <summary>
/// The float LSTM recurrence, the one driver every float path runs: N independent streams × T steps of one
/// layer in one direction. A session step is N = 1, T = 1; a batch step N streams, T = 1; a bidirectional layer
/// is two calls, the reverse one walking t = T−1 … 0 and writing the other half of each output row.
/// The input projections W_ih·x of up to <see cref="Chunk"/> steps are one matrix × matrix product (each weight
/// row read once for all of them); only W_hh·h is sequential. Every value is summed by <see cref="FloatMatVec"/>
/// in its fixed order, whatever N and T are, so results are bit-identical across sessions, batches and runners.
/// Allocates nothing.
/// </summary>
[SkipLocalsInit]
public static class FloatRecurrence
{
    public const int Chunk = 32;

    /// <summary>Floats of scratch <see cref="Run"/> needs for <paramref name="streams"/> × <paramref name="steps"/>.</summary>
    public static int ScratchLength(int hidden, int streams, int steps) => Math.Min(Chunk, Math.Max(steps, 1)) * streams * 4 * hidden;

    /// <param name="inputs">[steps][streams][layer.InputSize], step-major.</param>
    /// <param name="h">[streams][H], the state in and out (c likewise).</param>
    /// <param name="outputs">[steps][streams][outputStride]: h after step t goes to columns [outputOffset, outputOffset + H) of row (t, stream); empty to skip.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    public static void Run(FloatLstmLayer layer, ReadOnlySpan<float> inputs, int steps, int streams, bool reverse, Span<float> h, Span<float> c,
        Span<float> outputs, int outputStride, int outputOffset, Span<float> scratch)
    {
        int hidden = layer.HiddenSize, rows = 4 * hidden, width = layer.InputSize;
        if (inputs.Length < steps * streams * width || h.Length != streams * hidden || c.Length != streams * hidden)
            throw new ArgumentException("recurrence buffers do not match the layer, streams and steps");
        if (!outputs.IsEmpty && (outputs.Length < steps * streams * outputStride || outputOffset + hidden > outputStride))
            throw new ArgumentException("recurrence output buffer is too small", nameof(outputs));
        for (int done = 0; done < steps; done += Chunk)
        {
            int n = Math.Min(Chunk, steps - done);
            // Steps of this chunk in time order [first, first + n); walked backwards when reverse.
            int first = reverse ? steps - done - n : done;
            Span<float> gates = scratch[..(n * streams * rows)];
            for (int i = 0; i < n * streams; i++) TensorPrimitives.Add(layer.BiasIh, layer.BiasHh, gates.Slice(i * rows, rows));
            FloatMatVec.MultiplyAdd(layer.PackedIh, inputs.Slice(first * streams * width, n * streams * width), n * streams, gates);
            for (int s = 0; s < n; s++)
            {
                int local = reverse ? n - 1 - s : s, t = first + local;
                Span<float> g = gates.Slice(local * streams * rows, streams * rows);
                FloatMatVec.MultiplyAdd(layer.PackedHh, h, streams, g);
                for (int b = 0; b < streams; b++)
                {
                    Span<float> hb = h.Slice(b * hidden, hidden);
                    FloatCellUpdate.Apply(g.Slice(b * rows, rows), hb, c.Slice(b * hidden, hidden));
                    if (!outputs.IsEmpty) hb.CopyTo(outputs.Slice((t * streams + b) * outputStride + outputOffset, hidden));
                }
            }
        }
    }
}
