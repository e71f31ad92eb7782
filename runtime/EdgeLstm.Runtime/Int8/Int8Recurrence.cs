namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// The int8 LSTM recurrence, the one driver every int8 path runs: N streams × T steps of one layer in one
/// direction. A session step is N = 1, T = 1; a prefill chunk N = 1, T ≤ <see cref="Chunk"/>; a batch step N
/// streams, T = 1; a whole-sequence runner T steps, a bidirectional layer twice (the reverse walk writing the other
/// half of each output row). The input projections W_ih·x of a chunk's steps and streams are one matrix × matrix
/// product (each weight row read once for all); W_hh·h and the cell update are sequential. Products are exact
/// int32 and the cell update is the kernels' own, so every path gives the same bits on every kernel variant.
/// With two threads (N = 1), a persistent helper takes the upper half of each layer's units — their W_ih and
/// W_hh rows and their cell update — or the second half of a chunk's projections (<see cref="StepHelperThread"/>);
/// <see cref="MatVec"/> lends it to a session's output layer the same way.
/// Buffers are allocated here once; <see cref="Run"/> allocates nothing.
/// </summary>
[SkipLocalsInit]
public sealed class Int8Recurrence : IDisposable
{
    public const int Chunk = 64;

    private readonly ILstmKernels _kernels;
    private readonly int _streams;
    private readonly sbyte[] _hq;         // streams × H: h quantized for W_hh
    private readonly float[] _hScales;    // streams
    private readonly int[] _accIh;        // streams × 4H: a single step's W_ih·x (T = 1, two threads)
    private readonly int[] _accHh;        // streams × 4H
    private readonly int[] _projections;  // Chunk × streams × 4H
    private readonly StepHelperThread? _helper;
    // The helper's own accumulators: in shared arrays the two halves' rows met inside cache lines at eight places
    // per layer, which then moved between the cores every step.
    private readonly int[]? _helperAccIh, _helperAccHh;
    // What the helper does next. Written by the owner before StepHelperThread.Start and read by the helper after
    // it; Start and Join are full fences, so the helper always sees the whole job.
    private Job _job;

    private enum JobKind { Step, Projections, Recurrent, Rows }

    /// <summary>
    /// One piece of helper work: a layer's step (its W_ih rows too, T = 1), a chunk's recurrent step, projections
    /// [From, To), or rows [From, To) of <see cref="Matrix"/> times one vector (Inputs) into Products.
    /// </summary>
    private readonly record struct Job(JobKind Kind, QuantizedLstmLayer? Layer, sbyte[] Inputs, int InputOffset, int From, int To, int ProjectionRow,
        float XScale, float HScale, float[] H, float[] C, QuantizedMatrix? Matrix = null, int[]? Products = null);

    /// <summary>Multiply-adds below which <see cref="MatVec"/> stays on one thread: the handoff (about a microsecond here) would cost more.</summary>
    public const int SplitMatVecMultiplyAdds = 64 * 1024;

    public Int8Recurrence(ILstmKernels kernels, int widestHidden, int streams = 1, int threads = 1)
    {
        if (streams < 1) throw new ArgumentOutOfRangeException(nameof(streams), streams, "at least one stream");
        if (threads is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be 1 or 2");
        if (threads == 2 && streams != 1) throw new ArgumentException("two threads split one stream's units; batches run on one thread");
        _kernels = kernels;
        _streams = streams;
        int rows = 4 * widestHidden;
        _hq = new sbyte[streams * widestHidden];
        _hScales = new float[streams];
        _accIh = new int[streams * rows];
        _accHh = new int[streams * rows];
        _projections = new int[Chunk * streams * rows];
        if (threads == 2)
        {
            _helperAccIh = new int[rows];
            _helperAccHh = new int[rows];
            _helper = new StepHelperThread(() => Half(_job, upper: true));
        }
    }

    public ILstmKernels Kernels => _kernels;
    public int Threads => _helper is null ? 1 : 2;

    /// <summary>Stops the helper thread, if any.</summary>
    public void Dispose() => _helper?.Dispose();

    /// <summary>
    /// Runs <paramref name="steps"/> steps of <paramref name="layer"/> for every stream, t = 0 … T−1, or T−1 … 0 when
    /// <paramref name="reverse"/>.
    /// </summary>
    /// <param name="xq">Quantized inputs [steps][streams][layer.InputSize]; <paramref name="xScales"/> [steps][streams].</param>
    /// <param name="h">[streams][H] state in and out (<paramref name="c"/> likewise).</param>
    /// <param name="staticHScale">A fixed scale for h (static activations), or 0 for each step's own range.</param>
    /// <param name="outputs">Optional [steps][streams][outputStride]: h after step t at columns [outputOffset, outputOffset + H).</param>
    /// <param name="quantizedOutputs">
    /// Optional, one stream, forward: h after step t quantized as W_hh takes it, [steps][H], with its scale in
    /// <paramref name="outputScales"/>[t] — the next layer's input, and step t+1's quantized h, computed once.
    /// </param>
    public void Run(QuantizedLstmLayer layer, sbyte[] xq, float[] xScales, int steps, bool reverse, float[] h, float[] c, float staticHScale,
        float[]? outputs = null, int outputStride = 0, int outputOffset = 0, sbyte[]? quantizedOutputs = null, float[]? outputScales = null)
    {
        int hidden = layer.HiddenSize, rows = 4 * hidden, width = layer.InputSize, n = _streams;
        if (xq.Length < steps * n * width || xScales.Length < steps * n || h.Length < n * hidden || c.Length < n * hidden || 4 * hidden > _accHh.Length / n)
            throw new ArgumentException("recurrence buffers do not match the layer, streams and steps");
        if (outputs is not null && (outputs.Length < steps * n * outputStride || outputOffset + hidden > outputStride))
            throw new ArgumentException("recurrence output buffer is too small", nameof(outputs));
        if (quantizedOutputs is not null && (n != 1 || reverse || quantizedOutputs.Length < steps * hidden || outputScales is null || outputScales.Length < steps))
            throw new ArgumentException("quantized outputs are for one stream run forward", nameof(quantizedOutputs));

        if (steps == 1 && n == 1 && _helper is not null)
        {
            // One step on two threads: each takes half the units, their W_ih and W_hh rows and cell update.
            float hScale = QuantizeH(_kernels, h.AsSpan(0, hidden), _hq.AsSpan(0, hidden), staticHScale);
            _job = new Job(JobKind.Step, layer, xq, 0, 0, 0, 0, xScales[0], hScale, h, c);
            _helper.Start();
            Half(_job, upper: false);
            _helper.Join();
            Emit(h, hidden, 0, outputs, outputStride, outputOffset, quantizedOutputs, outputScales, staticHScale);
            return;
        }
        for (int done = 0; done < steps; done += Chunk)
        {
            int count = Math.Min(Chunk, steps - done);
            // Steps of this chunk in time order [first, first + count); walked backwards when reverse.
            int first = reverse ? steps - done - count : done;
            Project(layer, xq, first * n * width, count * n, width);
            for (int s = 0; s < count; s++)
            {
                int local = reverse ? count - 1 - s : s, t = first + local;
                if (n == 1)
                {
                    // Step t's quantized h: computed at step t − 1 as that step's quantized output, or now.
                    float hScale = quantizedOutputs is not null && t > 0
                        ? Reuse(quantizedOutputs, outputScales!, t - 1, hidden)
                        : QuantizeH(_kernels, h.AsSpan(0, hidden), _hq.AsSpan(0, hidden), staticHScale);
                    if (_helper is null)
                        Recurrent(layer, local * rows, xScales[t], hScale, h, c);
                    else
                    {
                        _job = new Job(JobKind.Recurrent, layer, xq, 0, 0, 0, local * rows, xScales[t], hScale, h, c);
                        _helper.Start();
                        Half(_job, upper: false);
                        _helper.Join();
                    }
                    Emit(h, hidden, t, outputs, outputStride, outputOffset, quantizedOutputs, outputScales, staticHScale);
                    continue;
                }
                for (int b = 0; b < n; b++) _hScales[b] = QuantizeH(_kernels, h.AsSpan(b * hidden, hidden), _hq.AsSpan(b * hidden, hidden), staticHScale);
                layer.WeightHh.MatMul(_kernels, _hq.AsSpan(0, n * hidden), n, _accHh.AsSpan(0, n * rows));
                for (int b = 0; b < n; b++)
                {
                    _kernels.GateUpdate(_projections.AsSpan((local * n + b) * rows, rows), _accHh.AsSpan(b * rows, rows), layer.WeightIh.Scales, layer.WeightHh.Scales,
                        layer.Bias, xScales[t * n + b], _hScales[b], c.AsSpan(b * hidden, hidden), h.AsSpan(b * hidden, hidden));
                    if (outputs is not null) h.AsSpan(b * hidden, hidden).CopyTo(outputs.AsSpan((t * n + b) * outputStride + outputOffset, hidden));
                }
            }
        }
    }

    /// <summary>
    /// y = m · x for one quantized vector (exact int32, as <see cref="QuantizedMatrix.MatVec"/>). With a helper and at least
    /// <see cref="SplitMatVecMultiplyAdds"/>, the rows are split between the two threads — a language model's output
    /// layer (10,000 × 256 for the word model: 2.5 MB, more than one core's L2) then streams half its bytes on each core.
    /// </summary>
    public void MatVec(QuantizedMatrix m, sbyte[] x, int[] y)
    {
        int rows = m.Rows;
        if (x.Length < m.Columns || y.Length < rows) throw new ArgumentException("matrix × vector buffers do not match the matrix");
        if (_helper is null || (long)rows * m.Columns < SplitMatVecMultiplyAdds)
        {
            m.MatVec(_kernels, x.AsSpan(0, m.Columns), y.AsSpan(0, rows));
            return;
        }
        // On a 16-row boundary (16 int32 outputs to a cache line: the halves never write the same line), or a 64-row
        // one where the matrix has panels or is int4, so both halves take whole blocks.
        int boundary = m.IsInt4 || m.Columns <= Int8Panels.MaxColumns ? Int8Panels.BlockRows : 16;
        int split = rows / 2 / boundary * boundary;
        _job = new Job(JobKind.Rows, null, x, 0, split, rows, 0, 0, 0, [], [], m, y);
        _helper.Start();
        m.MatVecRows(_kernels, x.AsSpan(0, m.Columns), y.AsSpan(0, split), 0);
        _helper.Join();
    }

    /// <summary>
    /// h quantized as the model's activation scheme says — by a fixed scale (static activations), or by its own range
    /// when <paramref name="staticScale"/> is 0 — the one place that choice is made. Returns the scale used.
    /// </summary>
    public static float QuantizeH(ILstmKernels kernels, ReadOnlySpan<float> h, Span<sbyte> q, float staticScale)
    {
        if (staticScale == 0f) return kernels.Quantize(h, q);
        kernels.QuantizeWithScale(h, q, staticScale);
        return staticScale;
    }


    private float Reuse(sbyte[] quantized, float[] scales, int t, int hidden)
    {
        quantized.AsSpan(t * hidden, hidden).CopyTo(_hq);
        return scales[t];
    }

    /// <summary>After step t: h to the output row, and quantized for the next layer (and the next step) if asked.</summary>
    private void Emit(float[] h, int hidden, int t, float[]? outputs, int stride, int offset, sbyte[]? quantized, float[]? scales, float staticHScale)
    {
        if (outputs is not null) h.AsSpan(0, hidden).CopyTo(outputs.AsSpan(t * stride + offset, hidden));
        if (quantized is not null) scales![t] = QuantizeH(_kernels, h.AsSpan(0, hidden), quantized.AsSpan(t * hidden, hidden), staticHScale);
    }

    /// <summary>The projections of <paramref name="vectors"/> input vectors into _projections; on two threads, split between them.</summary>
    private void Project(QuantizedLstmLayer layer, sbyte[] xq, int offset, int vectors, int width)
    {
        if (_helper is null || vectors < 2)
        {
            layer.WeightIh.MatMul(_kernels, xq.AsSpan(offset, vectors * width), vectors, _projections.AsSpan(0, vectors * layer.WeightIh.Rows));
            return;
        }
        int split = (vectors / 2 + 2) / 3 * 3; // the batched kernel takes vectors three at a time
        _job = new Job(JobKind.Projections, layer, xq, offset, split, vectors, 0, 0, 0, [], []);
        _helper.Start();
        Half(_job with { From = 0, To = split }, upper: false);
        _helper.Join();
    }

    /// <summary>One thread's share of a job: the lower or upper half of the units, or of the projected vectors.</summary>
    private void Half(in Job job, bool upper)
    {
        if (job.Kind == JobKind.Rows)
        {
            job.Matrix!.MatVecRows(_kernels, job.Inputs.AsSpan(0, job.Matrix.Columns), job.Products.AsSpan(job.From, job.To - job.From), job.From);
            return;
        }
        QuantizedLstmLayer layer = job.Layer!;
        int hidden = layer.HiddenSize, rows = 4 * hidden, width = layer.InputSize;
        if (job.Kind == JobKind.Projections)
        {
            int from = job.From, to = job.To;
            if (from >= to) return;
            layer.WeightIh.MatMul(_kernels, job.Inputs.AsSpan(job.InputOffset + from * width, (to - from) * width), to - from,
                _projections.AsSpan(from * rows, (to - from) * rows));
            return;
        }
        var (unitsFrom, unitsTo) = UnitHalf(hidden, upper);
        if (unitsFrom == unitsTo) return;
        int[] accHh = upper ? _helperAccHh! : _accHh;
        if (job.Kind == JobKind.Step)
        {
            // This half's W_ih rows too: a single step has no chunk of projections to share.
            int[] accIh = upper ? _helperAccIh! : _accIh;
            ReadOnlySpan<sbyte> x = job.Inputs.AsSpan(0, width);
            for (int gate = 0; gate < 4; gate++)
            {
                int row = gate * hidden + unitsFrom;
                layer.WeightIh.MatVecRows(_kernels, x, accIh.AsSpan(row, unitsTo - unitsFrom), row);
            }
            HalfRecurrent(layer, accIh.AsSpan(0, rows), job, unitsFrom, unitsTo, accHh);
            return;
        }
        HalfRecurrent(layer, _projections.AsSpan(job.ProjectionRow, rows), job, unitsFrom, unitsTo, accHh);
    }

    private void HalfRecurrent(QuantizedLstmLayer layer, ReadOnlySpan<int> projections, in Job job, int from, int to, int[] accHh)
    {
        int hidden = layer.HiddenSize;
        ReadOnlySpan<sbyte> hq = _hq.AsSpan(0, hidden);
        for (int gate = 0; gate < 4; gate++)
        {
            int row = gate * hidden + from;
            layer.WeightHh.MatVecRows(_kernels, hq, accHh.AsSpan(row, to - from), row);
        }
        _kernels.GateUpdate(projections, accHh.AsSpan(0, 4 * hidden), layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias,
            job.XScale, job.HScale, job.C.AsSpan(0, hidden), job.H.AsSpan(0, hidden), from, to);
    }

    /// <summary>One thread, one stream: W_hh·h and the cell update of every unit.</summary>
    private void Recurrent(QuantizedLstmLayer layer, int projectionRow, float xScale, float hScale, float[] h, float[] c)
    {
        int hidden = layer.HiddenSize, rows = 4 * hidden;
        layer.WeightHh.MatVec(_kernels, _hq.AsSpan(0, hidden), _accHh.AsSpan(0, rows));
        _kernels.GateUpdate(_projections.AsSpan(projectionRow, rows), _accHh.AsSpan(0, rows), layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias,
            xScale, hScale, c.AsSpan(0, hidden), h.AsSpan(0, hidden));
    }

    /// <summary>Units [0, half) go to the calling thread, [half, H) to the helper; half on a 16-unit boundary.</summary>
    private static (int From, int To) UnitHalf(int hidden, bool upper)
    {
        int half = Math.Min(hidden, (hidden / 2 + 15) / 16 * 16);
        return upper ? (half, hidden) : (0, half);
    }
}
