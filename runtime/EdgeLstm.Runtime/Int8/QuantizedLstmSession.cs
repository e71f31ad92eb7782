using System.Runtime.CompilerServices;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// Steps an int8 model. Each matrix input is quantized per step by its own range (layer 0's input is the
/// int8 embedding row itself), products accumulate exactly in int32, and the gate non-linearities and the
/// cell state stay in float. All buffers are allocated once here: <see cref="Step"/> allocates nothing.
/// Not thread-safe: one session per thread; the model is shared.
/// </summary>
[SkipLocalsInit]
public sealed class QuantizedLstmSession : ILanguageModelSession, IDisposable
{
    private readonly QuantizedLstmModel _model;
    private readonly ILstmKernels _kernels;
    private readonly float[][] _h;
    private readonly float[][] _c;
    private readonly sbyte[] _xq;
    private readonly sbyte[] _hq;
    private readonly int[] _accIh;
    private readonly int[] _accHh;
    private readonly float[] _logits;
    // Prefill buffers: a chunk of the prompt's quantized inputs, their scales and their input projections.
    public const int PrefillChunk = 64;
    private readonly sbyte[] _chunkInputs;
    private readonly float[] _chunkScales;
    private readonly int[] _chunkProjections;

    // Two threads: the helper takes the upper half of each layer's units (their gate rows and cell update) in a
    // step or a prefill step, and the second half of a prefill chunk's input projections.
    private readonly StepHelperThread? _helper;
    // The helper's own accumulators: in shared arrays the two halves' rows met inside cache lines at eight
    // places per layer, which then moved between the cores every step.
    private readonly int[]? _helperAccIh, _helperAccHh;
    private enum Job { StepHalf, PrefillProjections, PrefillRecurrentHalf }
    private Job _postedJob;
    private int _postedInputSize;
    private float _postedXScale, _postedHScale;
    private int _postedLayerIndex;
    private int _postedFrom, _postedTo; // the prefill chunk's tokens [from, to), or its step index in _postedFrom

    internal QuantizedLstmSession(QuantizedLstmModel model, ILstmKernels kernels, int threads = 1)
    {
        if (threads is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be 1 or 2");
        if (!model.Description.IsSteppable)
            throw new NotSupportedException($"a '{model.Description.Task}' model runs whole sequences, not steps: use CreateRunner");
        _model = model;
        _kernels = kernels;
        int layers = model.Layers.Length;
        _h = new float[layers][];
        _c = new float[layers][];
        int widest = model.EmbeddingDim, rows = 0;
        for (int k = 0; k < layers; k++)
        {
            int hidden = model.Layers[k].HiddenSize;
            _h[k] = new float[hidden];
            _c[k] = new float[hidden];
            widest = Math.Max(widest, hidden);
            rows = Math.Max(rows, 4 * hidden);
        }
        _xq = new sbyte[widest];
        _hq = new sbyte[widest];
        _accIh = new int[Math.Max(rows, model.VocabularySize)];
        _accHh = new int[rows];
        _logits = new float[model.VocabularySize];
        _chunkInputs = new sbyte[PrefillChunk * widest];
        _chunkScales = new float[PrefillChunk];
        _chunkProjections = new int[PrefillChunk * rows];
        if (threads == 2)
        {
            _helperAccIh = new int[rows];
            _helperAccHh = new int[rows];
            _helper = new StepHelperThread(HelperJob);
        }
        try { model.File.Retain(); } // throws if the model was disposed; released in Dispose
        catch { _helper?.Dispose(); throw; }
    }

    public int Threads => _helper is null ? 1 : 2;

    private int _disposed;

    /// <summary>Stops the helper thread (two threads) and lets go of the model's file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _helper?.Dispose();
        _model.File.Release();
    }

    public ITokenizer Tokenizer => _model.Tokenizer;
    public int InputSize => _model.EmbeddingDim;
    public QuantizedLstmModel Model => _model;
    public ReadOnlySpan<float> Logits => _logits;
    public string KernelName => _kernels.Name;

    public void Reset()
    {
        foreach (var h in _h) Array.Clear(h);
        foreach (var c in _c) Array.Clear(c);
    }

    /// <summary>Copies h and c of every layer into <paramref name="state"/> (length <see cref="StateLength"/>).</summary>
    public void SaveState(Span<float> state)
    {
        if (state.Length != StateLength) throw new ArgumentException($"state buffer must hold {StateLength} floats", nameof(state));
        for (int k = 0; k < _h.Length; k++)
        {
            _h[k].CopyTo(state);
            _c[k].CopyTo(state[_h[k].Length..]);
            state = state[(2 * _h[k].Length)..];
        }
    }

    public void LoadState(ReadOnlySpan<float> state)
    {
        if (state.Length != StateLength) throw new ArgumentException($"state buffer must hold {StateLength} floats", nameof(state));
        for (int k = 0; k < _h.Length; k++)
        {
            state[.._h[k].Length].CopyTo(_h[k]);
            state.Slice(_h[k].Length, _c[k].Length).CopyTo(_c[k]);
            state = state[(2 * _h[k].Length)..];
        }
    }

    public int StateLength
    {
        get
        {
            int n = 0;
            foreach (float[] h in _h) n += 2 * h.Length;
            return n;
        }
    }

    public ReadOnlySpan<float> Step(int token)
    {
        if (!_model.HasEmbedding) throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage + "; step it with StepInput");
        if ((uint)token >= (uint)_model.VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token id must be below {_model.VocabularySize}");
        int e = _model.EmbeddingDim;
        _model.Embedding.Dense.Slice(token * e, e).CopyTo(_xq);
        return Forward(_model.Embedding.Scales[token]);
    }

    /// <summary>
    /// Feeds one float input vector as the first layer's input (a sequence model's input, or an embedding-space
    /// vector of a character model), quantized by its own range like every other activation, and returns the
    /// output layer's values. Allocates nothing.
    /// </summary>
    public ReadOnlySpan<float> StepInput(ReadOnlySpan<float> input)
    {
        int e = _model.EmbeddingDim;
        if (input.Length != e) throw new ArgumentException($"input vector has {input.Length} values; the model takes {e}", nameof(input));
        return Forward(_kernels.Quantize(input, _xq.AsSpan(0, e)));
    }

    /// <summary>The layers and the output layer, from layer 0's quantized input in _xq.</summary>
    private ReadOnlySpan<float> Forward(float xScale)
    {
        int inputSize = _model.EmbeddingDim;
        for (int k = 0; k < _model.Layers.Length; k++)
        {
            if (k > 0)
            {
                inputSize = _h[k - 1].Length;
                xScale = _model.QuantizeH(_kernels, k - 1, _h[k - 1], _xq.AsSpan(0, inputSize));
            }
            StepLayer(k, _xq.AsSpan(0, inputSize), xScale);
        }
        return ComputeLogits();
    }

    /// <summary>The output layer on the top layer's h.</summary>
    private ReadOnlySpan<float> ComputeLogits()
    {
        float[] top = _h[^1];
        float hScale = _model.QuantizeH(_kernels, _h.Length - 1, top, _hq.AsSpan(0, top.Length));
        Span<int> acc = _accIh.AsSpan(0, _model.VocabularySize);
        _model.Head.MatVec(_kernels, _hq.AsSpan(0, top.Length), acc);
        _kernels.Logits(acc, _model.Head.Scales, hScale, _model.HeadBias, _logits);
        return _logits;
    }

    /// <summary>
    /// One thread's share of a layer step: units [0, H/2) or [H/2, H), i.e. those rows of each of the four
    /// gate blocks, then their cell update. Each thread always takes the same rows, so its slice of the weights
    /// stays in its own core's L2 cache. Both read the same quantized inputs; they write disjoint ranges.
    /// </summary>
    private void HalfLayer(bool upper)
    {
        QuantizedLstmLayer layer = _model.Layers[_postedLayerIndex];
        int hidden = layer.HiddenSize;
        var (from, to) = UnitHalf(hidden, upper);
        if (from == to) return;
        ReadOnlySpan<sbyte> xq = _xq.AsSpan(0, _postedInputSize);
        ReadOnlySpan<sbyte> hq = _hq.AsSpan(0, hidden);
        int[] accIh = upper ? _helperAccIh! : _accIh, accHh = upper ? _helperAccHh! : _accHh;
        for (int gate = 0; gate < 4; gate++)
        {
            int row = gate * hidden + from;
            layer.WeightIh.MatVecRows(_kernels, xq, accIh.AsSpan(row, to - from), row);
            layer.WeightHh.MatVecRows(_kernels, hq, accHh.AsSpan(row, to - from), row);
        }
        float[] h = _h[_postedLayerIndex], c = _c[_postedLayerIndex];
        _kernels.GateUpdate(accIh.AsSpan(0, 4 * hidden), accHh.AsSpan(0, 4 * hidden), layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias,
            _postedXScale, _postedHScale, c, h, from, to);
    }

    /// <summary>Units [0, half) go to the calling thread, [half, H) to the helper; half on a 16-unit boundary.</summary>
    private static (int From, int To) UnitHalf(int hidden, bool upper)
    {
        int half = Math.Min(hidden, (hidden / 2 + 15) / 16 * 16);
        return upper ? (half, hidden) : (0, half);
    }

    private void HelperJob()
    {
        switch (_postedJob)
        {
            case Job.StepHalf: HalfLayer(upper: true); break;
            case Job.PrefillProjections: ProjectTokens(_postedLayerIndex, _postedInputSize, _postedFrom, _postedTo); break;
            case Job.PrefillRecurrentHalf: RecurrentUnits(_postedLayerIndex, _postedFrom, _postedHScale, upper: true); break;
        }
    }

    /// <summary>
    /// Feeds a whole prompt and returns the logits after its last token, bit-identical to calling
    /// <see cref="Step"/> for each token. Layer by layer, the input projections W_ih·x of up to
    /// <see cref="PrefillChunk"/> tokens are one matrix × matrix product (each weight row read once for all of
    /// them); only the recurrent W_hh·h stays sequential. A two-thread session splits the chunk's tokens for
    /// the projections and each recurrent step's units, as in <see cref="Step"/>.
    /// </summary>
    public ReadOnlySpan<float> Prefill(ReadOnlySpan<int> tokens)
    {
        foreach (int token in tokens)
            if ((uint)token >= (uint)_model.VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id must be below {_model.VocabularySize}");
        for (int start = 0; start < tokens.Length; start += PrefillChunk)
            PrefillChunkOf(tokens.Slice(start, Math.Min(PrefillChunk, tokens.Length - start)));
        return tokens.Length > 0 ? ComputeLogits() : _logits;
    }

    private void PrefillChunkOf(ReadOnlySpan<int> tokens)
    {
        int n = tokens.Length;
        int e = _model.EmbeddingDim;
        for (int t = 0; t < n; t++)
        {
            _model.Embedding.Dense.Slice(tokens[t] * e, e).CopyTo(_chunkInputs.AsSpan(t * e, e));
            _chunkScales[t] = _model.Embedding.Scales[tokens[t]];
        }
        int inputSize = e;
        for (int k = 0; k < _model.Layers.Length; k++)
        {
            int hidden = _model.Layers[k].HiddenSize;
            if (_helper is null)
                ProjectTokens(k, inputSize, 0, n);
            else
            {
                int split = (n / 2 + 2) / 3 * 3; // the batched kernel takes vectors three at a time
                (_postedJob, _postedLayerIndex, _postedInputSize, _postedFrom, _postedTo) = (Job.PrefillProjections, k, inputSize, split, n);
                _helper.Start();
                ProjectTokens(k, inputSize, 0, split);
                _helper.Join();
            }
            float[] h = _h[k];
            bool feedsNext = k + 1 < _model.Layers.Length;
            for (int t = 0; t < n; t++)
            {
                // Below the top layer, h from step t − 1 was already quantized, as the next layer's input; the same
                // function of the same h, so reuse it instead of quantizing again.
                float hScale;
                if (feedsNext && t > 0)
                {
                    _chunkInputs.AsSpan((t - 1) * hidden, hidden).CopyTo(_hq);
                    hScale = _chunkScales[t - 1];
                }
                else
                    hScale = _model.QuantizeH(_kernels, k, h, _hq.AsSpan(0, hidden));
                if (_helper is null)
                    RecurrentUnits(k, t, hScale, upper: null);
                else
                {
                    (_postedJob, _postedLayerIndex, _postedFrom, _postedHScale) = (Job.PrefillRecurrentHalf, k, t, hScale);
                    _helper.Start();
                    RecurrentUnits(k, t, hScale, upper: false);
                    _helper.Join();
                }
                // This layer's output at step t is the next layer's input at step t, quantized as Step does.
                if (feedsNext)
                    _chunkScales[t] = _model.QuantizeH(_kernels, k, h, _chunkInputs.AsSpan(t * hidden, hidden));
            }
            inputSize = hidden;
        }
    }

    /// <summary>Layer k's input projections W_ih·x of the chunk's tokens [from, to), into _chunkProjections.</summary>
    private void ProjectTokens(int k, int inputSize, int from, int to)
    {
        if (from >= to) return;
        Int8Matrix w = _model.Layers[k].WeightIh;
        int rows = w.Rows, n = to - from;
        Span<int> projections = _chunkProjections.AsSpan(from * rows, n * rows);
        ReadOnlySpan<sbyte> inputs = _chunkInputs.AsSpan(from * inputSize, n * inputSize);
        if (w.Layout == Format.TensorLayout.Dense)
            _kernels.MatMul(w.Dense, w.RowSums, inputSize, inputs, n, projections);
        else
            for (int t = 0; t < n; t++)
                w.MatVec(_kernels, inputs.Slice(t * inputSize, inputSize), projections.Slice(t * rows, rows));
    }

    /// <summary>
    /// Prefill step t of layer k from the quantized h in _hq: W_hh·h and the cell update, for all units
    /// (<paramref name="upper"/> null) or one thread's half of them.
    /// </summary>
    private void RecurrentUnits(int k, int t, float hScale, bool? upper)
    {
        QuantizedLstmLayer layer = _model.Layers[k];
        int hidden = layer.HiddenSize, rows = 4 * hidden;
        ReadOnlySpan<sbyte> hq = _hq.AsSpan(0, hidden);
        Span<int> accHh = (upper == true ? _helperAccHh! : _accHh).AsSpan(0, rows);
        int from = 0, to = hidden;
        if (upper is bool half)
        {
            (from, to) = UnitHalf(hidden, half);
            if (from == to) return;
            for (int gate = 0; gate < 4; gate++)
            {
                int row = gate * hidden + from;
                layer.WeightHh.MatVecRows(_kernels, hq, accHh.Slice(row, to - from), row);
            }
        }
        else
            layer.WeightHh.MatVec(_kernels, hq, accHh);
        _kernels.GateUpdate(_chunkProjections.AsSpan(t * rows, rows), accHh, layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias,
            _chunkScales[t], hScale, _c[k], _h[k], from, to);
    }

    private void StepLayer(int k, ReadOnlySpan<sbyte> xq, float xScale)
    {
        QuantizedLstmLayer layer = _model.Layers[k];
        float[] h = _h[k], c = _c[k];
        int hidden = h.Length;
        float hScale = _model.QuantizeH(_kernels, k, h, _hq.AsSpan(0, hidden));
        if (_helper is not null)
        {
            _postedJob = Job.StepHalf;
            _postedLayerIndex = k;
            _postedInputSize = xq.Length;
            _postedXScale = xScale;
            _postedHScale = hScale;
            _helper.Start();
            HalfLayer(upper: false);
            _helper.Join();
            return;
        }
        Span<int> accIh = _accIh.AsSpan(0, 4 * hidden);
        Span<int> accHh = _accHh.AsSpan(0, 4 * hidden);
        layer.WeightIh.MatVec(_kernels, xq, accIh);
        layer.WeightHh.MatVec(_kernels, _hq.AsSpan(0, hidden), accHh);
        _kernels.GateUpdate(accIh, accHh, layer.WeightIh.Scales, layer.WeightHh.Scales, layer.Bias, xScale, hScale, c, h);
    }
}
