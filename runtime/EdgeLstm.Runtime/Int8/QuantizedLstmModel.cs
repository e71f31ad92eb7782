using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// An int8 LSTM read from an .elstm file (a character model, or a "sequence" model over float input vectors
/// with no embedding and no vocabulary): weights stay in the file's buffer (zero copy), only the
/// per-row scales and biases are copied. Shared read-only by any number of <see cref="QuantizedLstmSession"/>s.
/// Disposing it drops its hold on the file; each session holds the file too, until it is disposed.
/// </summary>
public sealed class QuantizedLstmModel : ILanguageModel
{
    internal QuantizedLstmModel(ModelFile file, CharTokenizer? tokenizer, Int8Matrix? embedding, int inputSize, QuantizedLstmLayer[] layers, Int8Matrix head,
        float[] headBias, float[]? staticHScales = null)
    {
        StaticHScales = staticHScales;
        File = file;
        _tokenizer = tokenizer;
        _embedding = embedding;
        EmbeddingDim = inputSize;
        Layers = layers;
        Head = head;
        HeadBias = headBias;
    }

    private readonly CharTokenizer? _tokenizer;
    private readonly Int8Matrix? _embedding;

    public ModelFile File { get; }
    /// <summary>False for "sequence" models, which take float input vectors (<see cref="QuantizedLstmSession.StepInput"/>).</summary>
    public bool HasEmbedding => _embedding is not null;
    public CharTokenizer Tokenizer => _tokenizer ?? throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage);
    public Int8Matrix Embedding => _embedding ?? throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage);
    public QuantizedLstmLayer[] Layers { get; }
    public Int8Matrix Head { get; }
    public float[] HeadBias { get; }
    /// <summary>Rows of the output layer: the vocabulary size, or a sequence model's output size.</summary>
    public int VocabularySize => HeadBias.Length;
    /// <summary>Width of the first layer's input: the embedding size, or a sequence model's input vector size.</summary>
    public int EmbeddingDim { get; }
    /// <summary>Fixed quantization scale of each layer's h (static activations), or null for dynamic per-step scales.</summary>
    public float[]? StaticHScales { get; }

    /// <summary>Quantizes layer <paramref name="layer"/>'s h by the model's activation scheme; returns the scale used.</summary>
    public float QuantizeH(ILstmKernels kernels, int layer, ReadOnlySpan<float> h, Span<sbyte> q)
    {
        if (StaticHScales is null) return kernels.Quantize(h, q);
        float scale = StaticHScales[layer];
        kernels.QuantizeWithScale(h, q, scale);
        return scale;
    }

    /// <summary>A session on the best kernels for this CPU (or those forced by EDGELSTM_KERNEL).</summary>
    public QuantizedLstmSession CreateSession() => new(this, LstmKernels.Default);

    /// <summary>A session on the given kernel variant (tests and benchmarks run every variant this way).</summary>
    public QuantizedLstmSession CreateSession(ILstmKernels kernels) => new(this, kernels);

    /// <summary>A session that splits each layer's rows across <paramref name="threads"/> (1 or 2) cores; dispose it to stop its helper thread.</summary>
    public QuantizedLstmSession CreateSession(ILstmKernels kernels, int threads) => new(this, kernels, threads);

    ILanguageModelSession ILanguageModel.CreateSession() => CreateSession();

    /// <summary>Releases the model's hold on its file (a memory map is unmapped once no session holds it either).</summary>
    public void Dispose() => File.Dispose();
}
