using EdgeLstm.Runtime.Format;

namespace EdgeLstm.Runtime.Int8;

/// <summary>
/// An int8 model of any description (<see cref="ModelDescription"/>) read from an .elstm file: weights stay in
/// the file's buffer (zero copy), only the per-row scales and biases are copied. Shared read-only by any number
/// of sessions and runners. Disposing it drops its hold on the file; each session and runner holds the file
/// too, until it is disposed.
/// </summary>
public sealed class QuantizedLstmModel : ILanguageModel
{
    internal QuantizedLstmModel(ModelFile file, ModelDescription description, QuantizedMatrix? embedding, QuantizedLstmLayer[] layers,
        QuantizedLstmLayer?[] reverseLayers, float[]? poolWeight, float[]? poolBias, QuantizedMatrix head, float[] headBias, float[]? staticHScales = null,
        QuantizedDecoder? decoder = null, QuantizedMatrix? affixes = null)
    {
        Affixes = affixes;
        Decoder = decoder;
        File = file;
        Description = description;
        _tokenizer = description.Input.Tokenizer?.Create(file.Source);
        _embedding = embedding;
        Layers = layers;
        ReverseLayers = reverseLayers;
        PoolWeight = poolWeight;
        PoolBias = poolBias;
        Head = head;
        HeadBias = headBias;
        StaticHScales = staticHScales;
        Crf = Tagging.CrfTransitions.Of(description, name => file.Floats(file.Require(name)).ToArray(), file.Source);
    }

    public Tagging.CrfTransitions? Crf { get; }

    private readonly ITokenizer? _tokenizer;
    private readonly QuantizedMatrix? _embedding;

    public ModelFile File { get; }
    /// <summary>8, or 7 when the file says its multiplied matrices keep |q| ≤ 63 (<see cref="CheckSevenBitWeights"/>): <see cref="LstmKernels.For"/> may then pick a 7-bit variant.</summary>
    public int WeightBits => File.Metadata.WeightBits ?? 8;

    private int _sevenBitsChecked; // 1 once CheckSevenBitWeights has passed

    /// <summary>
    /// Throws a <see cref="ModelFormatException"/> naming the tensor unless every matrix the kernels multiply keeps
    /// |q| ≤ 63, as weight_bits 7 claims: the 7-bit kernel variants are exact only then (every other variant is exact
    /// on any int8 values). Run once, when an encoder is first given a 7-bit variant, so that loading a file stays a
    /// matter of mapping it and validating its headers, not reading every weight. Thread-safe.
    /// </summary>
    public void CheckSevenBitWeights()
    {
        if (Volatile.Read(ref _sevenBitsChecked) == 1) return;
        foreach (TensorSpec spec in ModelTensors.Of(Description, fusedBiases: true))
        {
            if (!spec.IsMultiplied) continue;
            TensorEntry t = File.Require(spec.Name);
            if (t.DType == TensorDType.I4) continue; // 4-bit values are exact on every variant
            ReadOnlySpan<sbyte> values = t.Layout == TensorLayout.Dense ? File.SBytes(t) : new BlockSparseLayout(File.Bytes(t), t.Rows, t.BlockCount, t.Layout).Values;
            if (!values.IsEmpty && Math.Abs((int)System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values)) > 63)
                throw new ModelFormatException($"{File.Source}: tensor '{spec.Name}' holds a value outside [-63, 63], but weight_bits is 7");
        }
        Volatile.Write(ref _sevenBitsChecked, 1);
    }

    public ModelDescription Description { get; }
    /// <summary>False for models over float input vectors (<see cref="QuantizedLstmSession.StepInput"/>).</summary>
    public bool HasEmbedding => _embedding is not null;
    public ITokenizer Tokenizer => _tokenizer ?? throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage);
    public QuantizedMatrix Embedding => _embedding ?? throw new NotSupportedException(Float.FloatLstmModel.NoVocabularyMessage);
    /// <summary>The word affix table (input.affixes), int8 rows with a scale each, or null.</summary>
    public QuantizedMatrix? Affixes { get; }
    /// <summary>Each layer's first direction: the forward one, or a reverse layer's only one (tensors *_reverse).</summary>
    public QuantizedLstmLayer[] Layers { get; }
    /// <summary>Each bidirectional layer's reverse direction, or null where the layer has one direction.</summary>
    public QuantizedLstmLayer?[] ReverseLayers { get; }
    /// <summary>Attention pooling's weight [D] and bias [1] (float), or null.</summary>
    public float[]? PoolWeight { get; }
    public float[]? PoolBias { get; }
    public QuantizedMatrix Head { get; }

    /// <summary>The prunable int8 matrices, by tensor name: each LSTM direction's W_ih and W_hh, and the output layer.</summary>
    public IEnumerable<(string Name, QuantizedMatrix Matrix)> PrunableMatrices()
    {
        foreach (TensorSpec spec in ModelTensors.Of(Description, fusedBiases: true))
        {
            if (!spec.IsPrunable) continue;
            QuantizedLstmLayer? layer = spec.Layer < 0 ? null
                : spec.Reverse && Description.Encoder[spec.Layer].Bidirectional ? ReverseLayers[spec.Layer] : Layers[spec.Layer];
            yield return (spec.Name, spec.Role switch
            {
                TensorRole.WeightIh => layer!.WeightIh,
                TensorRole.WeightHh => layer!.WeightHh,
                _ => Head,
            });
        }
    }
    public float[] HeadBias { get; }
    /// <summary>Rows of the output layer: the vocabulary size, or the label or output count.</summary>
    public int OutputSize => HeadBias.Length;
    /// <summary>Width of the first layer's input: the embedding size, or the input vector size.</summary>
    public int InputWidth => Description.Input.Size;
    /// <summary>Sequence-to-sequence models: the decoder's int8 weights (the output layer is <see cref="Head"/>).</summary>
    public QuantizedDecoder? Decoder { get; }
    /// <summary>Fixed quantization scale of each layer's h (static activations), or null for dynamic per-step scales.</summary>
    public float[]? StaticHScales { get; }

    /// <summary>A session on the best kernels for this CPU (or those forced by EDGELSTM_KERNEL).</summary>
    public QuantizedLstmSession CreateSession() => new(this, LstmKernels.For(this));

    /// <summary>A session on the given kernel variant (tests and benchmarks run every variant this way).</summary>
    public QuantizedLstmSession CreateSession(ILstmKernels kernels) => new(this, kernels);

    /// <summary>A session that splits each layer's rows across <paramref name="threads"/> (1 or 2) cores; dispose it to stop its helper thread.</summary>
    public QuantizedLstmSession CreateSession(ILstmKernels kernels, int threads) => new(this, kernels, threads);

    ILanguageModelSession ILanguageModel.CreateSession() => CreateSession();

    /// <summary>Runs whole sequences (any description) on the given kernels; dispose it to let go of the file.</summary>
    public QuantizedSequenceRunner CreateRunner(ILstmKernels kernels) => new(this, kernels);

    /// <summary>
    /// A runner on <paramref name="threads"/> (1 or 2) cores: with 2, each bidirectional layer runs its two directions
    /// at once (same outputs, bit for bit); forward-only layers stay on one. Dispose it to stop its helper thread.
    /// </summary>
    public QuantizedSequenceRunner CreateRunner(ILstmKernels kernels, int threads) => new(this, kernels, threads);

    public QuantizedSequenceRunner CreateRunner() => new(this, LstmKernels.For(this));

    ISequenceRunner ILanguageModel.CreateRunner() => CreateRunner();

    /// <summary>Sequence-to-sequence models: greedy and beam-search decoding on the best kernels.</summary>
    public ITransducer CreateTransducer(int maxBeam = BeamSearchTransducer.DefaultMaxBeam) => CreateTransducer(LstmKernels.For(this), maxBeam);

    /// <summary>Sequence-to-sequence models: decoding on the given kernel variant (tests run every variant).</summary>
    public ITransducer CreateTransducer(ILstmKernels kernels, int maxBeam = BeamSearchTransducer.DefaultMaxBeam) =>
        new BeamSearchTransducer(CreateAttentionDecoder(kernels, maxBeam), Description);

    /// <summary>
    /// Sequence-to-sequence models on <paramref name="threads"/> (1 or 2) cores: with 2, the encoder's bidirectional
    /// layers run their two directions at once (the same outputs); decoding stays on one. Dispose it to stop the helper.
    /// </summary>
    public ITransducer CreateTransducer(ILstmKernels kernels, int maxBeam, int threads) =>
        new BeamSearchTransducer(CreateAttentionDecoder(kernels, maxBeam, threads), Description);

    /// <summary>
    /// Sequence-to-sequence models: the int8 decoder alone, up to <paramref name="maxStreams"/> hypotheses a step, its
    /// encoder on <paramref name="threads"/> (1 or 2) cores.
    /// </summary>
    public Int8AttentionDecoder CreateAttentionDecoder(ILstmKernels kernels, int maxStreams, int threads = 1) => new(this, kernels, maxStreams, threads);

    /// <summary>Releases the model's hold on its file (a memory map is unmapped once no session holds it either).</summary>
    public void Dispose() => File.Dispose();
}
