using EdgeLstm.Runtime.Format;
using EdgeLstm.Runtime.Kernels;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// An int8 character LSTM read from an .elstm file: weights stay in the file's buffer (zero copy), only the
/// per-row scales and biases are copied. Shared read-only by any number of <see cref="QuantizedLstmSession"/>s.
/// </summary>
public sealed class QuantizedLstmModel : ILanguageModel
{
    internal QuantizedLstmModel(ModelFile file, CharTokenizer tokenizer, Int8Matrix embedding, QuantizedLstmLayer[] layers, Int8Matrix head, float[] headBias,
        float[]? staticHScales = null)
    {
        StaticHScales = staticHScales;
        File = file;
        Tokenizer = tokenizer;
        Embedding = embedding;
        Layers = layers;
        Head = head;
        HeadBias = headBias;
    }

    public ModelFile File { get; }
    public CharTokenizer Tokenizer { get; }
    public Int8Matrix Embedding { get; }
    public QuantizedLstmLayer[] Layers { get; }
    public Int8Matrix Head { get; }
    public float[] HeadBias { get; }
    public int VocabularySize => Tokenizer.VocabularySize;
    public int EmbeddingDim => Embedding.Columns;
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
}
