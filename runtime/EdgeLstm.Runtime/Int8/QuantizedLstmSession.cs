using System.Runtime.CompilerServices;
using EdgeLstm.Runtime.Float;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// Steps an int8 model, a stream of one: the state (<see cref="LstmState"/>), the layers through
/// <see cref="Int8Recurrence"/> (one step, or a prompt's chunk of steps), and the output layer. Each matrix input
/// is quantized by its own range per step (layer 0's input is the int8 embedding row itself), products accumulate
/// exactly in int32, and the gate non-linearities and the cell state stay in float. All buffers are allocated once
/// here: <see cref="Step"/> allocates nothing. Not thread-safe: one session per thread; the model is shared.
/// </summary>
[SkipLocalsInit]
public sealed class QuantizedLstmSession : ILanguageModelSession, IDisposable
{
    /// <summary>Prompt tokens run through each layer at a time by <see cref="Prefill"/>.</summary>
    public const int PrefillChunk = Int8Recurrence.Chunk;

    private readonly QuantizedLstmModel _model;
    private readonly Int8Recurrence _recurrence;
    private readonly LstmState _state;
    // A chunk's quantized inputs of the current layer and, written as it runs, of the next one; a scale per step.
    private sbyte[] _inputs, _nextInputs;
    private float[] _scales, _nextScales;
    private readonly sbyte[] _headInput;
    private readonly int[] _headAcc;
    private readonly float[] _logits;
    private int _disposed;

    internal QuantizedLstmSession(QuantizedLstmModel model, ILstmKernels kernels, int threads = 1)
    {
        if (threads is < 1 or > 2) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be 1 or 2");
        if (!model.Description.IsSteppable)
            throw new NotSupportedException($"a '{model.Description.Task}' model runs whole sequences, not steps: use CreateRunner");
        _model = model;
        int widest = model.EmbeddingDim, hidden = 0;
        var sizes = new int[model.Layers.Length];
        for (int k = 0; k < sizes.Length; k++)
        {
            sizes[k] = model.Layers[k].HiddenSize;
            widest = Math.Max(widest, sizes[k]);
            hidden = Math.Max(hidden, sizes[k]);
        }
        _state = new LstmState(sizes);
        _inputs = new sbyte[PrefillChunk * widest];
        _nextInputs = new sbyte[PrefillChunk * widest];
        _scales = new float[PrefillChunk];
        _nextScales = new float[PrefillChunk];
        _headInput = new sbyte[model.Layers[^1].HiddenSize];
        _headAcc = new int[model.VocabularySize];
        _logits = new float[model.VocabularySize];
        _recurrence = new Int8Recurrence(kernels, hidden, streams: 1, threads);
        try { model.File.Retain(); } // throws if the model was disposed; released in Dispose
        catch { _recurrence.Dispose(); throw; }
    }

    public int Threads => _recurrence.Threads;

    /// <summary>Stops the helper thread (two threads) and lets go of the model's file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _recurrence.Dispose();
        _model.File.Release();
    }

    public ITokenizer Tokenizer => _model.Tokenizer;
    public int InputSize => _model.EmbeddingDim;
    public QuantizedLstmModel Model => _model;
    public ReadOnlySpan<float> Logits => _logits;
    public string KernelName => _recurrence.Kernels.Name;

    public void Reset() => _state.Clear();
    public int StateLength => _state.Length;
    public void SaveState(Span<float> state) => _state.Save(state);
    public void LoadState(ReadOnlySpan<float> state) => _state.Load(state);

    public ReadOnlySpan<float> Step(int token)
    {
        if (!_model.HasEmbedding) throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage + "; step it with StepInput");
        if ((uint)token >= (uint)_model.VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"token id must be below {_model.VocabularySize}");
        Embed(token, 0);
        return Forward(1);
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
        _scales[0] = _recurrence.Kernels.Quantize(input, _inputs.AsSpan(0, e));
        return Forward(1);
    }

    /// <summary>
    /// Feeds a whole prompt and returns the logits after its last token, bit-identical to calling
    /// <see cref="Step"/> for each token. Layer by layer, a chunk of up to <see cref="PrefillChunk"/> tokens runs
    /// through <see cref="Int8Recurrence"/>: their input projections are one matrix × matrix product (each weight
    /// row read once for all of them); only the recurrent W_hh·h stays sequential.
    /// </summary>
    public ReadOnlySpan<float> Prefill(ReadOnlySpan<int> tokens)
    {
        foreach (int token in tokens)
            if ((uint)token >= (uint)_model.VocabularySize)
                throw new ArgumentOutOfRangeException(nameof(tokens), token, $"token id must be below {_model.VocabularySize}");
        if (tokens.IsEmpty) return _logits;
        for (int start = 0; start < tokens.Length; start += PrefillChunk)
        {
            int n = Math.Min(PrefillChunk, tokens.Length - start);
            for (int t = 0; t < n; t++) Embed(tokens[start + t], t);
            Layers(n);
        }
        return Head();
    }

    private void Embed(int token, int t)
    {
        int e = _model.EmbeddingDim;
        _model.Embedding.Dense.Slice(token * e, e).CopyTo(_inputs.AsSpan(t * e, e));
        _scales[t] = _model.Embedding.Scales[token];
    }

    private ReadOnlySpan<float> Forward(int steps)
    {
        Layers(steps);
        return Head();
    }

    /// <summary>Every layer over the chunk's steps; each layer below the top writes its quantized outputs, the next one's inputs.</summary>
    private void Layers(int steps)
    {
        int top = _model.Layers.Length - 1;
        for (int k = 0; k <= top; k++)
        {
            float staticScale = _model.StaticHScales?[k] ?? 0f;
            _recurrence.Run(_model.Layers[k], _inputs, _scales, steps, reverse: false, _state.H[k], _state.C[k], staticScale,
                quantizedOutputs: k < top ? _nextInputs : null, outputScales: k < top ? _nextScales : null);
            if (k < top)
            {
                (_inputs, _nextInputs) = (_nextInputs, _inputs);
                (_scales, _nextScales) = (_nextScales, _scales);
            }
        }
    }

    /// <summary>The output layer on the top layer's h.</summary>
    private ReadOnlySpan<float> Head()
    {
        float[] top = _state.H[^1];
        float hScale = _model.QuantizeH(_recurrence.Kernels, _state.H.Length - 1, top, _headInput);
        _model.Head.MatVec(_recurrence.Kernels, _headInput, _headAcc);
        _recurrence.Kernels.Logits(_headAcc, _model.Head.Scales, hScale, _model.HeadBias, _logits);
        return _logits;
    }
}
